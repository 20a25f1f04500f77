package io.threatbridge.event;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Every event the README tells people to send is one the bridge accepts. */
class SamplesTest {

    static Stream<Path> samples() throws IOException {
        return Files.list(Path.of("samples")).filter(file -> file.toString().endsWith(".json")).sorted();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void isAValidThreatEvent(Path sample) throws IOException {
        assertNotNull(new EventValidator().validate(Files.readString(sample)).eventId());
    }
}
