package io.syncline.store;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class GroupCommitH2Test extends GroupCommitContract {
}
