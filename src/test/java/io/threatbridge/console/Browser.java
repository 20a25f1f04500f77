package io.threatbridge.console;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;

/**
 * Debian's headless Chromium driven through its chromedriver (packages chromium and
 * chromium-driver, which .ci/run installs). Selenium Manager is never asked for anything: the
 * driver's path is given and it runs offline. Missing browser: the test is skipped on a developer's
 * machine, and fails under CI (CI=true), where a skip would hide that nothing was tested.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("console.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("console.test.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Chromium that trusts the test certificate of the Microsoft fake (and only that one) besides the usual CAs. */
    static Browser start() throws Exception {
        boolean there = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!there) {
            String why = "Chromium (" + CHROMIUM + ") or chromedriver (" + CHROMEDRIVER + ") is missing: apt-get install chromium chromium-driver (.ci/run does)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        // Selenium Manager: never download (it is not asked at all while the driver's path is set)
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Path profile = Files.createTempDirectory("console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--ignore-certificate-errors-spki-list=" + testCertificateSpki());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return new Browser(driver, profile);
    }

    /** The SHA-256 of the test certificate's public key (src/test/resources/tls/server.p12), as Chromium's SPKI list wants it. */
    private static String testCertificateSpki() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of("src/test/resources/tls/server.p12"))) {
            store.load(in, "changeit".toCharArray());
        }
        Certificate certificate = store.getCertificate(Collections.list(store.aliases()).get(0));
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    }

    void open(String url) {
        driver.get(url);
    }

    String title() {
        return driver.getTitle();
    }

    /** The page's visible text; empty while a navigation has no body yet (the tests wait on it). */
    String text() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException loading) {
            return "";
        }
    }

    String source() {
        return driver.getPageSource();
    }

    /** The form field whose label says this: the label is how a screen reader finds it, so the test finds it that way too. */
    WebElement field(String label) {
        WebElement labelElement = driver.findElement(By.xpath("//label[normalize-space(.)='" + label + "']"));
        return driver.findElement(By.id(labelElement.getDomAttribute("for")));
    }

    WebElement button(String text) {
        return driver.findElement(By.xpath("//button[normalize-space(.)='" + text + "'] | //a[normalize-space(.)='" + text + "']"));
    }

    WebElement buttonLabelled(String ariaLabel) {
        return driver.findElement(By.xpath("//button[@aria-label='" + ariaLabel + "']"));
    }

    /** A screenshot into target/screenshots; returns its path. */
    Path shot(String name) throws IOException {
        Files.createDirectories(SHOTS);
        Path file = SHOTS.resolve(name + ".png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
