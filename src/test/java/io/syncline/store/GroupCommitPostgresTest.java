package io.syncline.store;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syncline.support.PostgresProfile;
import io.syncline.support.RequiresPostgres;

@QuarkusTest
@TestProfile(PostgresProfile.class)
@RequiresPostgres
class GroupCommitPostgresTest extends GroupCommitContract {
}
