package io.syncline.connect;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = ConnectFlowContract.Servers.class, restrictToAnnotatedClass = true)
class ConnectFlowH2Test extends ConnectFlowContract {
}
