package io.syncline.operate;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RetentionTest extends RetentionContract {
}
