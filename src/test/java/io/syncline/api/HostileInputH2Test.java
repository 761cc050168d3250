package io.syncline.api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HostileInputH2Test extends HostileInputContract {
}
