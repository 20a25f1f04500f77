package io.threatbridge.route;

import io.threatbridge.event.MappedEvent;
import io.threatbridge.format.VendorFormats;
import io.threatbridge.format.VendorRecord;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

import java.util.List;

/** Bean "vendorFormats", routes/ingest.camel.yaml and formats-reload: a vendor's records, each mapped to the bridge's event. */
public record VendorFormatSteps(VendorFormats formats) {

    /** The message's records (one object or an array) by the mapping file its bridgeFormat names. */
    public List<VendorRecord> records(@Body Object body, @Header("bridgeFormat") String format) {
        return formats.records(body, format);
    }

    /**
     * The event made from one record. Sets originalBody to the record's text first: a record that
     * fails, here or later, goes to the invalid queue alone, as it came.
     */
    public MappedEvent map(@Body VendorRecord record, Exchange exchange) {
        exchange.setProperty("originalBody", record.text());
        return formats.map(record);
    }

    /** A changed formats folder, once it reads without an error. */
    public void reloadIfChanged() {
        formats.reloadIfChanged();
    }
}
