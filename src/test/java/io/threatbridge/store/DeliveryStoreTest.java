package io.threatbridge.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store remembers, on H2 and on PostgreSQL, with the schema Flyway makes. */
class DeliveryStoreTest {

    @TempDir
    Path dir;

    private DeliveryStore open(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        return new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void remembersEventsAndAlertsAcrossReopening(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        try (DeliveryStore store = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null)) {
            assertFalse(store.isDone("contoso", "ev-1"));
            assertNull(store.alertId("contoso", "thr-1"));
            store.saveAlert("contoso", "thr-1", "da-1", "ev-1");
            store.markDone("contoso", "ev-1", "created", "da-1");
            store.markDone("contoso", "ev-1", "created", "da-1");
            store.saveAlert("contoso", "thr-1", "da-2", "ev-9");
            store.markResolved("contoso", "thr-1");
        }
        // opened again: Flyway finds its schema in place and the rows are still there
        try (DeliveryStore store = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null)) {
            assertTrue(store.isDone("contoso", "ev-1"));
            assertFalse(store.isDone("fabrikam", "ev-1"), "per integration");
            assertEquals("da-1", store.alertId("contoso", "thr-1"), "the first alert of a threat stays its alert");
            assertNull(store.alertId("fabrikam", "thr-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anUnreachableStoreFailsLoudly(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            store.close();
            StoreUnavailableException error = org.junit.jupiter.api.Assertions.assertThrows(StoreUnavailableException.class,
                    () -> store.isDone("contoso", "ev-1"));
            assertTrue(error.getMessage().startsWith("state store: "));
        }
    }
}
