package io.syncline.store;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ChangesFeedH2Test extends ChangesFeedContract {
}
