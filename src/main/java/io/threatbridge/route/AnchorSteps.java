package io.threatbridge.route;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.Anchor;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.DeviceAnchors;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/** routes/delivery, bean "deviceAnchors": the device's anchor for a Defender for Endpoint create (DeviceAnchors). */
public record AnchorSteps(DeviceAnchors anchors) {

    /** The remembered anchor, Anchor.NONE (nothing to look up, or Defender recently held no event of it), or null: ask hunting. */
    public Anchor remembered(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("event") ThreatEvent event,
                             @ExchangeProperty("freshAnchor") Boolean fresh) {
        return anchors.remembered(integration, event, fresh);
    }

    public DefenderRequest huntingRequest(@ExchangeProperty("event") ThreatEvent event) {
        return anchors.huntingRequest(event);
    }

    /** The anchor in hunting's answer, remembered; Anchor.NONE when no row is the machine's. */
    public Anchor fromHuntingAnswer(@Body String answer, @ExchangeProperty("integration") Integration integration,
                                    @ExchangeProperty("event") ThreatEvent event) {
        return anchors.fromHuntingAnswer(answer, integration, event);
    }

    /** Throws NoAnchorException, whose message names the machine. */
    public void refuseWithoutAnchor(@ExchangeProperty("event") ThreatEvent event) {
        anchors.refuseWithoutAnchor(event);
    }
}
