package io.syncline.connect;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syncline.support.PostgresProfile;
import io.syncline.support.RequiresPostgres;

@QuarkusTest
@TestProfile(PostgresProfile.class)
@RequiresPostgres
@QuarkusTestResource(value = ConnectFlowContract.Servers.class, restrictToAnnotatedClass = true)
class ConnectFlowPostgresTest extends ConnectFlowContract {
}
