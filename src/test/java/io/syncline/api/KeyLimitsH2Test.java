package io.syncline.api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class KeyLimitsH2Test extends KeyLimitsContract {
}
