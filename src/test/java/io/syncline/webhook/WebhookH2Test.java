package io.syncline.webhook;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class WebhookH2Test extends WebhookContract {
}
