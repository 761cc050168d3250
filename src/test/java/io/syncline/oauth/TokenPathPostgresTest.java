package io.syncline.oauth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syncline.support.PostgresProfile;
import io.syncline.support.RequiresPostgres;

@QuarkusTest
@TestProfile(PostgresProfile.class)
@RequiresPostgres
class TokenPathPostgresTest extends TokenPathContract {
}
