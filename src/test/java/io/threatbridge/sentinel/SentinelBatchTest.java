package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.Events;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How rows are made (SentinelRows) and packed into calls (SentinelBatch), without a broker. */
class SentinelBatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SentinelBatch.Item item(int rowBytes) {
        SentinelBatch.Item item = new SentinelBatch.Item(null, "", 0, 1, 0);
        byte[] row = ("{\"EventId\":\"" + "x".repeat(Math.max(0, rowBytes - 14)) + "\"}").getBytes();
        item.row = row;
        return item;
    }

    private static SentinelBatch batch(int... sizes) {
        SentinelBatch batch = new SentinelBatch(null, null, null, null);
        for (int size : sizes) {
            batch.items.add(item(size));
        }
        return batch;
    }

    @Test
    void callsHoldAsManyRowsAsFitAndNeverMoreThanTheLimit() throws Exception {
        SentinelBatch batch = batch(300, 300, 300, 300);
        List<SentinelBatch.Item> first = batch.nextCall(1000);
        // [r,r,r] = 2 + 900 + 2 = 904; a fourth would make 1205
        assertEquals(3, first.size());
        byte[] body = SentinelBatch.body(first);
        assertTrue(body.length <= 1000);
        assertEquals(3, JSON.readTree(body).size(), "a JSON array of the rows");
        first.forEach(item -> item.state = SentinelBatch.State.DELIVERED);
        assertEquals(1, batch.nextCall(1000).size());
    }

    @Test
    void aRowAboveTheLimitGoesAloneAndTheOthersShare() {
        SentinelBatch batch = batch(100, 5000, 100);
        List<SentinelBatch.Item> first = batch.nextCall(1000);
        assertEquals(List.of(batch.items.get(0), batch.items.get(2)), first, "the small rows share, the big one waits");
        first.forEach(item -> item.state = SentinelBatch.State.DELIVERED);
        assertEquals(List.of(batch.items.get(1)), batch.nextCall(1000), "the big one alone");
    }

    @Test
    void rowsRefusedTogetherGoAlone() {
        SentinelBatch batch = batch(100, 100, 100);
        batch.items.forEach(item -> item.alone = true);
        assertEquals(1, batch.nextCall(1000).size());
    }

    @Test
    void aRowHasExactlyTheColumnsOfSection5d() {
        ThreatEvent event = new EventValidator().read(Events.without(Events.sample("critical-mitm.json"), "user").toString());
        JsonNode row = SentinelRows.row(event, "soc");
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        assertEquals(FakeLogsIngestion.COLUMNS, names);
        assertEquals(new ArrayList<>(FakeLogsIngestion.COLUMNS).size(), SentinelRows.COLUMNS.size());
        assertTrue(row.get("UserEmail").isNull(), "no user: the column is there, null");
        assertEquals("soc", row.get("Integration").asText());
        assertEquals("NETWORK", row.get("Category").asText());
    }
}
