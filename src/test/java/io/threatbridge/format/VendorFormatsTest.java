package io.threatbridge.format;

import io.threatbridge.route.VendorFormatSteps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.MappedEvent;
import io.threatbridge.event.ThreatEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped mapping files (formats/) against the shipped samples (samples/zimperium, lookout,
 * jamf): each field as interface.md 4b (Zimperium) and the README's tables (Lookout, Jamf) say,
 * the event accepted by the same validator as the bridge's own format, and each refusal naming
 * the vendor's field.
 */
class VendorFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final VendorFormats FORMATS = new VendorFormats(Path.of("formats"));
    private static final EventValidator VALIDATOR = new EventValidator();
    private static final CamelContext CAMEL = new DefaultCamelContext();

    static ObjectNode sample(String path) throws IOException {
        return (ObjectNode) JSON.readTree(Path.of("samples", path).toFile());
    }

    /** The record through the steps the ingest route takes: records, map, validate. */
    static ThreatEvent ingest(String format, Object body) {
        List<VendorRecord> records = FORMATS.records(body, format);
        assertEquals(1, records.size());
        return ingest(records.get(0));
    }

    static ThreatEvent ingest(VendorRecord record) {
        Exchange exchange = new DefaultExchange(CAMEL);
        MappedEvent mapped = new VendorFormatSteps(FORMATS).map(record, exchange);
        assertEquals(record.text(), exchange.getProperty("originalBody"), "a failing record goes to the invalid queue as it came");
        try {
            return VALIDATOR.validateMapped(mapped);
        } catch (InvalidEventException e) {
            throw mapped.explain(e);
        }
    }

    static String refusal(String format, Object body) {
        return assertThrows(InvalidEventException.class, () -> ingest(format, body)).getMessage();
    }

    @Test
    void shipsTheThreeFormats() {
        assertEquals(List.of("jamf", "lookout", "zimperium"), FORMATS.formats().keySet().stream().sorted().toList());
    }

    @Test
    void zimperiumThreatRecordAsSection4bMapsIt() throws IOException {
        ObjectNode record = sample("zimperium/threat-arp-mitm.json");
        ThreatEvent event = ingest("zimperium", record.toString());
        assertEquals("zimperium:e4b7c2a9-51d3-4f6e-8a0b-93c1d5e7f208:active", event.eventId());
        assertEquals("acme", event.accountId());
        assertEquals("e4b7c2a9-51d3-4f6e-8a0b-93c1d5e7f208", event.threat().id());
        assertEquals("MITM - ARP", event.threat().name());
        assertEquals("ARP_MITM", event.threat().type());
        assertEquals("NETWORK", event.threat().category().name());
        assertEquals("CRITICAL", event.severity().name());
        assertEquals("ACTIVE", event.threat().status().name());
        assertEquals(Instant.ofEpochMilli(1795860930000L).toString(), event.threat().detectedAt());
        assertNull(event.threat().resolvedAt());
        assertEquals("3f2c9a61-7d4e-4b8a-a0c5-5e61d2f7b9a4", event.device().id(), "zdevice_id before device_id");
        assertEquals("Pixel 8", event.device().name());
        assertEquals("Pixel 8", event.device().model());
        assertEquals("ANDROID", event.device().os());
        assertEquals("15", event.device().osVersion());
        assertEquals(Boolean.TRUE, event.device().managed(), "mdm_device_id is set");
        assertEquals("ann@contoso.com", event.user().email());
        assertEquals("Ann Lee", event.user().name(), "first, middle (null) and last name joined");
        JsonNode forensics = event.forensics();
        assertEquals("192.168.4.66", forensics.path("attacker_ip").asText());
        assertEquals("CoffeeShop", forensics.path("network").asText());
        assertEquals("aa:bb:cc:dd:ee:ff", forensics.path("network_bssid").asText());
        assertEquals("Credential Access, Collection", forensics.path("mitre_tactics").asText());
        assertEquals("Field sales", forensics.path("team_name").asText());
        assertFalse(forensics.path("device_jailbroken").asBoolean(true), "a false is a value, kept");
        for (String mapped : List.of("threat_uuid", "account_id", "severity_name", "device_time", "zdevice_id", "device_os",
                "device_owner_email", "threat_vector", "location.gps_latitude", "attacker_mac_absent")) {
            assertFalse(forensics.has(mapped), mapped + " is mapped or null, not forensics");
        }
        forensics.fields().forEachRemaining(field -> assertFalse(field.getValue().isNull(), field.getKey() + " is null"));
        assertTrue(forensics.has("attacker_mac"));
    }

    @Test
    void zimperiumMitigationRecordResolves() throws IOException {
        ThreatEvent event = ingest("zimperium", sample("zimperium/mitigation-arp-mitm.json").toString());
        assertEquals("zimperium:e4b7c2a9-51d3-4f6e-8a0b-93c1d5e7f208:resolved", event.eventId());
        assertEquals("RESOLVED", event.threat().status().name());
        String at = Instant.ofEpochMilli(1795862730000L).toString();
        assertEquals(at, event.threat().detectedAt());
        assertEquals(at, event.threat().resolvedAt());
        assertEquals("OTHER", event.threat().categoryOrOther().name(), "a mitigation record has no threat_vector");
        assertEquals("Disconnected from the network", event.forensics().path("mitigation_reason").asText());
    }

    @Test
    void zimperiumMitigationReasonAloneMakesAResolveEvenEmpty() throws IOException {
        ObjectNode record = sample("zimperium/threat-arp-mitm.json");
        record.put("mitigation_reason", "");
        assertEquals("RESOLVED", ingest("zimperium", record.toString()).threat().status().name());
    }

    @Test
    void zimperiumFallbacks() throws IOException {
        ObjectNode record = sample("zimperium/threat-arp-mitm.json");
        record.remove("threat_display_name");
        record.set("zdevice_id", NullNode.instance);
        record.set("mdm_device_id", NullNode.instance);
        record.put("threat_vector", "Satellite");
        record.put("device_time", "1795860930000");
        ThreatEvent event = ingest("zimperium", record.toString());
        assertEquals("ARP_MITM", event.threat().name(), "threat_name when there is no display name");
        assertEquals("b1d0e7c4-2a95-4c3f-9e18-7f5a6b4c3d21", event.device().id(), "device_id when zdevice_id is null");
        assertEquals(Boolean.FALSE, event.device().managed());
        assertEquals("OTHER", event.threat().category().name(), "an unknown vector is OTHER");
        assertEquals("Satellite", event.forensics().path("threat_vector").asText(), "and kept in the forensics");
    }

    @Test
    void zimperiumRefusalsNameTheVendorsField() throws IOException {
        ObjectNode record = sample("zimperium/threat-arp-mitm.json");
        assertEquals("zimperium record: severity_name: 'HIGH' is not one of CRITICAL, ELEVATED, LOW, NORMAL (threat.severity)",
                refusal("zimperium", record.deepCopy().put("severity_name", "HIGH").toString()));
        assertEquals("zimperium record: severity_name (threat.severity): required field is missing",
                refusal("zimperium", without(record, "severity_name")));
        assertTrue(refusal("zimperium", without(record, "threat_uuid"))
                .startsWith("zimperium record: threat_uuid (eventId): required field is missing"));
        assertEquals("zimperium record: account_id (accountId): required field is missing", refusal("zimperium", without(record, "account_id")));
        assertEquals("zimperium record: zdevice_id / device_id (device.id): required field is missing",
                refusal("zimperium", record.deepCopy().putNull("zdevice_id").putNull("device_id").toString()));
        assertEquals("zimperium record: device_time: 'yesterday' is not a time in epoch milliseconds",
                refusal("zimperium", record.deepCopy().put("device_time", "yesterday").toString()));
        assertEquals("zimperium record: device_os (device.os): required field is missing", refusal("zimperium", without(record, "device_os")));
        assertTrue(refusal("zimperium", record.deepCopy().put("threat_uuid", "u".repeat(200)).toString())
                .startsWith("zimperium record: threat_uuid (eventId): "), "an eventId over 128 characters names threat_uuid");
    }

    @Test
    void anArraySplitsIntoRecordsEachWithItsOwnText() throws IOException {
        String body = Files.readString(Path.of("samples/zimperium/threats-batch-one-bad.json"));
        List<VendorRecord> records = FORMATS.records(body, "zimperium");
        assertEquals(3, records.size());
        for (VendorRecord record : records) {
            assertEquals(record.tree(), JSON.readTree(record.text()), "the record's text is the record");
        }
        assertEquals("APP", ingest(records.get(0)).threat().category().name());
        assertEquals("ELEVATED", ingest(records.get(1)).severity().name());
        assertEquals("zimperium record 3 of 3: severity_name: 'SEVERE' is not one of CRITICAL, ELEVATED, LOW, NORMAL (threat.severity)",
                assertThrows(InvalidEventException.class, () -> ingest(records.get(2))).getMessage());
    }

    @Test
    void aMessageThatCannotBeSplitIsRefusedWhole() {
        assertTrue(assertThrows(InvalidEventException.class, () -> FORMATS.records("[{\"a\":1},", "zimperium"))
                .getMessage().startsWith("message body: not valid JSON"));
        assertEquals("message body: an empty array, no record in it",
                assertThrows(InvalidEventException.class, () -> FORMATS.records("[]", "zimperium")).getMessage());
        assertTrue(assertThrows(InvalidEventException.class, () -> FORMATS.records("{\"a\":1} {}", "zimperium"))
                .getMessage().startsWith("message body: not valid JSON: more after the object"));
        assertTrue(assertThrows(InvalidEventException.class, () -> FORMATS.records("[{\"a\":1,\"a\":2}]", "zimperium"))
                .getMessage().contains("Duplicate field 'a'"));
        assertTrue(assertThrows(InvalidEventException.class, () -> FORMATS.records("[" + "{},".repeat(1000) + "{}]", "zimperium"))
                .getMessage().contains("more than 1000 records"));
        assertTrue(assertThrows(InvalidEventException.class, () -> FORMATS.records("{}", "zimperum"))
                .getMessage().startsWith("bridgeFormat: 'zimperum' is not a known format (jamf, lookout, zimperium)"));
    }

    @Test
    void aRecordThatIsNotAnObjectIsRefusedAlone() {
        List<VendorRecord> records = FORMATS.records("[\"text\", 42]", "zimperium");
        assertEquals("zimperium record 1 of 2: expected a JSON object, got string",
                assertThrows(InvalidEventException.class, () -> ingest(records.get(0))).getMessage());
        assertEquals("42", records.get(1).text());
    }

    @Test
    void lookoutThreatEvent() throws IOException {
        ThreatEvent event = ingest("lookout", sample("lookout/threat-trojan-app.json").toString());
        assertEquals("lookout:0192f3a8-4b6c-7d8e-9f01-23456789abcd", event.eventId());
        assertEquals("acme", event.accountId());
        assertEquals("lk-thr-5521", event.threat().id());
        assertEquals("TROJAN", event.threat().name());
        assertEquals("APP", event.threat().category().name());
        assertEquals("CRITICAL", event.severity().name(), "Lookout's HIGH is its top threat level");
        assertEquals("ACTIVE", event.threat().status().name());
        assertEquals("2026-11-28T09:12:44.120Z", event.threat().detectedAt());
        assertEquals("5c1a7e93-0d2f-4b6a-8e4c-2f9d1b7a6c35", event.device().id());
        assertEquals("Samsung Galaxy S24", event.device().name());
        assertEquals("ANDROID", event.device().os());
        assertEquals("ben@contoso.com", event.user().email());
        assertEquals("com.example.batterysaver.max", event.forensics().path("threat.package_name").asText());
        assertEquals("A trojan app that sends premium SMS", event.forensics().path("threat.description").asText());
    }

    @Test
    void lookoutVariants() throws IOException {
        ObjectNode record = sample("lookout/threat-trojan-app.json");
        ObjectNode withId = record.deepCopy();
        withId.remove("oid");
        withId.put("id", "0190bc7e-77f3-7ddc-b828-4ee717b57d5e");
        assertEquals("lookout:0190bc7e-77f3-7ddc-b828-4ee717b57d5e", ingest("lookout", withId.toString()).eventId(), "id when there is no oid");
        ObjectNode resolved = record.deepCopy();
        ((ObjectNode) resolved.get("threat")).put("status", "RESOLVED");
        ThreatEvent event = ingest("lookout", resolved.toString());
        assertEquals("RESOLVED", event.threat().status().name());
        assertEquals("2026-11-28T09:12:44.120Z", event.threat().resolvedAt());
        ObjectNode ignored = record.deepCopy();
        ((ObjectNode) ignored.get("threat")).put("status", "IGNORED").put("type", "SATELLITE");
        event = ingest("lookout", ignored.toString());
        assertEquals("ACTIVE", event.threat().status().name(), "an unknown status stays an open alert");
        assertEquals("IGNORED", event.forensics().path("threat.status").asText());
        assertEquals("OTHER", event.threat().category().name());
        assertEquals("SATELLITE", event.forensics().path("threat.type").asText());
        ObjectNode unknownSeverity = record.deepCopy();
        ((ObjectNode) unknownSeverity.get("threat")).put("severity", "SEVERE");
        assertEquals("lookout record: threat.severity: 'SEVERE' is not one of CRITICAL, HIGH, MEDIUM, LOW (threat.severity)",
                refusal("lookout", unknownSeverity.toString()));
        assertEquals("lookout record: type: 'DEVICE', the lookout format takes only THREAT",
                refusal("lookout", record.deepCopy().put("type", "DEVICE").toString()));
        ObjectNode numbers = record.deepCopy().put("oid", 1234567);
        ((ObjectNode) numbers.get("threat")).put("id", 5521).put("guid", "ignored");
        ((ObjectNode) numbers.get("device")).put("os_version", 14);
        event = ingest("lookout", numbers.toString());
        assertEquals("lookout:1234567", event.eventId());
        assertEquals("5521", event.threat().id(), "a vendor's numeric id is taken as its text");
        assertEquals("14", event.device().osVersion());
        ObjectNode noIds = record.deepCopy();
        noIds.remove("oid");
        assertTrue(refusal("lookout", noIds.toString()).startsWith("lookout record: oid / id (eventId): required field is missing"));
    }

    @Test
    void jamfThreatEvent() throws IOException {
        ThreatEvent event = ingest("jamf", sample("jamf/threat-risky-host.json").toString());
        assertEquals("jamf:5e8d1c2b-7a94-4f30-b6e1-0d9c8a7b6f54", event.eventId());
        assertEquals("acme", event.accountId());
        assertEquals("Risky Host/Domain - Malware", event.threat().name());
        assertEquals("ACCESS_BAD_HOST", event.threat().type());
        assertEquals("NETWORK", event.threat().category().name());
        assertEquals("CRITICAL", event.severity().name(), "8 is high on Jamf's scale");
        assertEquals("ACTIVE", event.threat().status().name());
        assertEquals("a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1e", event.device().id());
        assertEquals("Chloe's iPhone", event.device().name());
        assertEquals("IOS", event.device().os());
        assertEquals("18.1.1", event.device().osVersion());
        assertEquals("Chloe Martin", event.user().name());
        assertEquals("203.0.113.45", event.forensics().path("event.destination.ip").asText());
        assertEquals("Blocked", event.forensics().path("event.action").asText());
    }

    @Test
    void jamfRefusals() throws IOException {
        ObjectNode record = sample("jamf/threat-risky-host.json");
        for (int severity : new int[] {2, 4, 6, 10}) {
            ObjectNode copy = record.deepCopy();
            ((ObjectNode) copy.get("event")).set("severity", IntNode.valueOf(severity));
            ingest("jamf", copy.toString());
        }
        ObjectNode odd = record.deepCopy();
        ((ObjectNode) odd.get("event")).set("severity", IntNode.valueOf(5));
        assertEquals("jamf record: event.severity: '5' is not one of 2, 4, 6, 8, 10 (threat.severity)", refusal("jamf", odd.toString()));
        ObjectNode noAlert = record.deepCopy();
        ((ObjectNode) noAlert.get("event")).put("alertId", "");
        assertTrue(refusal("jamf", noAlert.toString()).startsWith("jamf record: event.alertId (eventId): required field is missing"));
        ObjectNode telemetry = record.deepCopy();
        ((ObjectNode) telemetry.at("/event/metadata")).put("product", "Telemetry");
        assertEquals("jamf record: event.metadata.product: 'Telemetry', the jamf format takes only Threat Events Stream",
                refusal("jamf", telemetry.toString()));
    }

    @Test
    void aMappingFileWithAnErrorIsRefusedNamingFileAndKey(@TempDir Path dir) throws IOException {
        String good = Files.readString(Path.of("formats/jamf.yaml"));
        assertEquals("x.yaml: fields.threat.severity.map.8: 'HIGH' is not one of NORMAL, LOW, ELEVATED, CRITICAL",
                refused(dir, good.replace("\"8\": CRITICAL", "\"8\": HIGH")));
        assertTrue(refused(dir, good.replace("function: firstWord", "function: firstWrd"))
                .startsWith("x.yaml: fields.device.os.function: 'firstWrd' is not one of afterFirstWord, epochMillisToInstant, first"));
        assertTrue(refused(dir, good.replace("  user.name: event.user.name", "  user.nickname: event.user.name"))
                .startsWith("x.yaml: fields.user.nickname: not an event field"));
        assertEquals("x.yaml: fields.accountId: missing; every event needs it",
                refused(dir, good.replace("  accountId: event.account.customerId\n", "")));
        assertTrue(refused(dir, good.replace("    map: {\"2\"", "    mapping: {\"2\"")).startsWith("x.yaml: fields.threat.severity.mapping: unknown key"));
        assertEquals("x.yaml: fields.threat.severity: needs a 'map:' to NORMAL, LOW, ELEVATED, CRITICAL (a vendor's value is never passed through unchecked)",
                refused(dir, good.replaceAll("    map: \\{\"2\".*\n", "")));
    }

    private static String refused(Path dir, String yaml) throws IOException {
        Files.createDirectories(dir.resolve("f"));
        Files.writeString(dir.resolve("f/x.yaml"), yaml);
        String message = assertThrows(FormatFileException.class, () -> VendorFormats.load(dir.resolve("f"))).getMessage();
        return message.substring(message.indexOf("x.yaml"));
    }

    @Test
    void aChangedFolderAppliesWithoutARestartAndARefusedOneLeavesTheFormatsInForce(@TempDir Path dir) throws IOException {
        Files.copy(Path.of("formats/jamf.yaml"), dir.resolve("jamf.yaml"));
        VendorFormats formats = new VendorFormats(dir);
        assertEquals(List.of("jamf"), List.copyOf(formats.formats().keySet()));
        Files.copy(Path.of("formats/lookout.yaml"), dir.resolve("lookout.yaml"));
        formats.reloadIfChanged();
        assertEquals(List.of("jamf", "lookout"), formats.formats().keySet().stream().sorted().toList());
        Files.writeString(dir.resolve("lookout.yaml"), "format: lookout\nfields: {}\n");
        formats.reloadIfChanged();
        assertEquals(List.of("jamf", "lookout"), formats.formats().keySet().stream().sorted().toList(), "the refused folder changed nothing");
        assertTrue(new VendorFormats(dir.resolve("missing")).formats().isEmpty(), "no folder, no formats, and the bridge still starts");
    }

    private static String without(ObjectNode record, String field) {
        ObjectNode copy = record.deepCopy();
        copy.remove(field);
        return copy.toString();
    }

    @SuppressWarnings("unused")
    private static ArrayNode array(JsonNode... records) {
        ArrayNode array = JSON.createArrayNode();
        for (JsonNode record : records) {
            array.add(record);
        }
        return array;
    }
}
