package io.syncline.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through its chromedriver. Where neither is installed the
 * browser tests are skipped with one line saying so; CI sets SYNCLINE_REQUIRE_BROWSER=1, and
 * there a missing browser fails the build instead.
 */
public final class Browser {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("SYNCLINE_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("SYNCLINE_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private Browser() {
    }

    /** A fresh headless Chromium with an empty profile, 1280×800, talking only to 127.0.0.1. */
    public static ChromeDriver start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        String missing = "Chromium or chromedriver not found at " + CHROMIUM + " / " + DRIVER
                + ": the console browser tests are skipped (apt-get install chromium chromium-driver)";
        if ("1".equals(System.getenv("SYNCLINE_REQUIRE_BROWSER"))) {
            Assertions.assertTrue(present, missing);
        }
        Assumptions.assumeTrue(present, missing);
        Path profile = Files.createTempDirectory("syncline-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(30)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** Saves what the browser shows into target/console-screenshots/{name}.png. */
    public static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }
}
