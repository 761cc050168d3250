package io.syncline.oauth;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TokenPathH2Test extends TokenPathContract {
}
