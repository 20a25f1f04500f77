package io.threatbridge;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Extension;

import java.nio.file.Path;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/** A started WireMock server on loopback HTTPS only, with the test certificate (src/test/resources/tls). */
public final class FakeHttps {

    private FakeHttps() {
    }

    /** @param journal false for benchmarks and counting fakes: a journal of every request would grow without end */
    public static WireMockServer start(boolean journal, Extension... extensions) {
        WireMockConfiguration config = wireMockConfig();
        if (!journal) {
            config.disableRequestJournal();
        }
        WireMockServer server = new WireMockServer(config
                .extensions(extensions)
                .containerThreads(40)
                .httpDisabled(true)
                .dynamicHttpsPort()
                .bindAddress("127.0.0.1")
                .keystorePath(Path.of("src/test/resources/tls/server.p12").toAbsolutePath().toString())
                .keystorePassword("changeit")
                .keyManagerPassword("changeit")
                .keystoreType("PKCS12"));
        server.start();
        return server;
    }
}
