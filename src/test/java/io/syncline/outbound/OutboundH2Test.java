package io.syncline.outbound;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OutboundH2Test extends OutboundContract {
}
