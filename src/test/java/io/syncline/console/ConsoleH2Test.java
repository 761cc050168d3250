package io.syncline.console;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ConsoleH2Test extends ConsoleContract {
}
