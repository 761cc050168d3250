package io.syncline.schedule;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PollingH2Test extends PollingContract {
}
