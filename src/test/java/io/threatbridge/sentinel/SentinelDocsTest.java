package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The customer-side templates in docs/sentinel/ declare the columns the bridge sends (interface.md
 * 5d, as the fake checks them), so a row is never refused or cut by the rule it goes to.
 */
class SentinelDocsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Set<String> names(JsonNode columns) {
        Set<String> names = new HashSet<>();
        columns.forEach(column -> names.add(column.path("name").asText()));
        return names;
    }

    private static JsonNode resource(JsonNode template, String type) {
        for (JsonNode resource : template.path("resources")) {
            if (resource.path("type").asText().equals(type)) {
                return resource;
            }
        }
        throw new AssertionError("no " + type + " in the template");
    }

    @Test
    void theTemplateDeclaresExactlyTheRowsColumns() throws Exception {
        JsonNode template = JSON.readTree(Files.readString(Path.of("docs/sentinel/mobile-threats.json")));
        JsonNode rule = resource(template, "Microsoft.Insights/dataCollectionRules");
        JsonNode declared = rule.at("/properties/streamDeclarations/Custom-MobileThreats_CL/columns");
        assertEquals(FakeLogsIngestion.COLUMNS, names(declared), "the stream the bridge posts to");
        JsonNode table = resource(template, "Microsoft.OperationalInsights/workspaces/tables");
        assertEquals(FakeLogsIngestion.COLUMNS, names(table.at("/properties/schema/columns")), "the table the rule writes to");
        assertEquals("Custom-MobileThreats_CL", template.at("/variables/stream").asText());
        assertEquals("[variables('stream')]", rule.at("/properties/dataFlows/0/outputStream").asText(), "into the table's stream");
        JsonNode role = resource(template, "Microsoft.Authorization/roleAssignments");
        // Monitoring Metrics Publisher, the role the Logs Ingestion API asks for
        assertTrue(template.at("/variables/monitoringMetricsPublisher").asText().equals("3913510d-42f4-4e42-8a64-420c390055eb"));
        assertTrue(role.at("/properties/roleDefinitionId").asText().contains("monitoringMetricsPublisher"));
    }

    @Test
    void theAnalyticRuleReadsTheTableAndOpensIncidents() throws Exception {
        JsonNode template = JSON.readTree(Files.readString(Path.of("docs/sentinel/analytic-rule.json")));
        JsonNode rule = template.path("resources").get(0).path("properties");
        assertEquals(Files.readString(Path.of("docs/sentinel/analytic-rule.kql")).strip(), rule.path("query").asText().strip(),
                "the .kql file is the rule's query");
        assertTrue(rule.path("query").asText().contains("MobileThreats_CL"));
        assertTrue(rule.at("/incidentConfiguration/createIncident").asBoolean());
        assertEquals(false, rule.at("/incidentConfiguration/groupingConfiguration/reopenClosedIncident").asBoolean());
    }
}
