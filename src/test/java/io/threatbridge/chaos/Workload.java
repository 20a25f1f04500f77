package io.threatbridge.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.Events;
import io.threatbridge.event.Severity;
import io.threatbridge.integration.FilterLevel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Events for a fault-injection run across integrations (by default five), with what must become of
 * each: for every (integration, event) pair, delivered or dead-lettered; filtered pairs and invalid
 * events known in advance.
 */
public final class Workload {

    record Target(String name, String tenant, List<String> accounts, FilterLevel level, boolean rejecting) {
    }

    static final List<Target> TARGETS = List.of(
            new Target("t0", "tenant-0", List.of("acct-0", "acct-shared"), FilterLevel.NORMAL_AND_ABOVE, false),
            new Target("t1", "tenant-1", List.of("acct-1", "acct-shared"), FilterLevel.LOW_AND_ABOVE, false),
            new Target("t2", "tenant-2", List.of("acct-2"), FilterLevel.ELEVATED_AND_ABOVE, false),
            new Target("t3", "tenant-3", List.of("acct-3"), FilterLevel.CRITICAL, false),
            new Target("t4", "tenant-4", List.of("acct-4"), FilterLevel.NORMAL_AND_ABOVE, true));
    private static final List<String> ACCOUNTS = List.of("acct-0", "acct-1", "acct-2", "acct-3", "acct-4", "acct-shared");

    final List<Target> targets;
    final List<String> bodies = new ArrayList<>();
    /** "integration eventId" pairs that must end delivered. */
    final Set<String> toDeliver = new HashSet<>();
    /** "integration eventId" pairs that must end on the dead-letter queue. */
    final Set<String> toDeadLetter = new HashSet<>();
    final Set<String> invalid = new HashSet<>();
    final Map<String, String> threatOfEvent = new HashMap<>();
    int filtered;

    public Workload(int count, long seed, String runId) {
        this(count, seed, runId, TARGETS, ACCOUNTS);
    }

    /** @param accounts the accounts events come from: each must feed at least one of the targets */
    public Workload(int count, long seed, String runId, List<Target> targets, List<String> accounts) {
        this.targets = List.copyOf(targets);
        Random random = new Random(seed);
        Map<String, List<String[]>> threatsByAccount = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String eventId = runId + "-ev-" + i;
            if (i % 40 == 39) {
                invalid.add(eventId);
                bodies.add(Events.without(Events.event(eventId, "acct-0", "thr-x", "CRITICAL", "ACTIVE"), "device.os").toString());
                continue;
            }
            String account = accounts.get(random.nextInt(accounts.size()));
            List<String[]> earlier = threatsByAccount.computeIfAbsent(account, a -> new ArrayList<>());
            String threatId;
            Severity severity;
            String status;
            if (!earlier.isEmpty() && random.nextInt(5) == 0) {
                String[] threat = earlier.remove(random.nextInt(earlier.size()));
                threatId = threat[0];
                severity = Severity.valueOf(threat[1]);
                status = "RESOLVED";
            } else {
                threatId = runId + "-thr-" + i;
                severity = Severity.values()[random.nextInt(4)];
                status = "ACTIVE";
                earlier.add(new String[]{threatId, severity.name()});
            }
            threatOfEvent.put(eventId, threatId);
            ObjectNode event = Events.event(eventId, account, threatId, severity.name(), status);
            bodies.add(event.toString());
            for (Target target : targets) {
                if (!target.accounts().contains(account)) {
                    continue;
                }
                if (!target.level().admits(severity)) {
                    filtered++;
                } else if (target.rejecting()) {
                    toDeadLetter.add(target.name() + " " + eventId);
                } else {
                    toDeliver.add(target.name() + " " + eventId);
                }
            }
        }
    }

    String integrationsYaml(String baseUrl) {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (Target target : targets) {
            yaml.append("  - name: ").append(target.name()).append('\n')
                    .append("    tenantId: ").append(target.tenant()).append('\n')
                    .append("    accounts: [").append(String.join(", ", target.accounts())).append("]\n")
                    .append("    filterLevel: ").append(target.level()).append('\n')
                    .append("    apiUrl: ").append(baseUrl).append('/').append(target.name()).append('\n');
        }
        return yaml.toString();
    }
}
