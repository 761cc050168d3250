package io.syncline.api;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RecordsApiH2Test extends RecordsApiContract {
}
