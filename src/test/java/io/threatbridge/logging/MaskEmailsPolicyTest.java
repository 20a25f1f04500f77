package io.threatbridge.logging;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class MaskEmailsPolicyTest {

    private static LogEvent line(String pattern, Object... arguments) {
        return Log4jLogEvent.newBuilder().setLoggerName("org.example.ThirdParty").setLevel(Level.WARN)
                .setMessage(new ParameterizedMessage(pattern, arguments)).build();
    }

    @AfterEach
    void maskingBackOn() {
        EmailMask.enable(true);
    }

    @Test
    void masksEveryAddressInALineKeepingTheDomain() {
        LogEvent masked = new MaskEmailsPolicy().rewrite(line("user {} and {} failed", "ann.lee@contoso.com", "Bob+tag@eu.fabrikam.co.uk"));
        assertEquals("user a***@contoso.com and B***@eu.fabrikam.co.uk failed", masked.getMessage().getFormattedMessage());
        assertEquals("org.example.ThirdParty", masked.getLoggerName());
        assertEquals(Level.WARN, masked.getLevel());
    }

    @Test
    void leavesLinesWithoutAnAddressAlone() {
        LogEvent plain = line("delivered {} to tenant@{}", "thr-1", "host");
        assertSame(plain, new MaskEmailsPolicy().rewrite(plain));
    }

    @Test
    void theSettingTurnsMaskingOff() {
        EmailMask.enable(false);
        assertEquals("user ann.lee@contoso.com", new MaskEmailsPolicy().rewrite(line("user {}", "ann.lee@contoso.com"))
                .getMessage().getFormattedMessage());
    }
}
