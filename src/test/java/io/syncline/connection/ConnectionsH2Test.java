package io.syncline.connection;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ConnectionsH2Test extends ConnectionsContract {
}
