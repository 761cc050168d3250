package io.syncline.twoway;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TwoWayH2Test extends TwoWayContract {
}
