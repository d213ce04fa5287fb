package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each parameter has one default: the options, the params records and the manifest agree on it. */
class ParameterDefaultsTest {
  private static String optionDefault(Object command, String option) {
    return new CommandLine(command).getCommandSpec().findOption(option).defaultValue();
  }

  @Test
  void runOptionsDefaultToTheEstimateParamsDefaults() {
    EstimateParams d = EstimateParams.defaults();
    assertEquals(d.maxGapFactor(), Double.parseDouble(optionDefault(new RunCommand(), "--max-gap-factor")));
    assertEquals(d.allocUtil(), Double.parseDouble(optionDefault(new RunCommand(), "--assumed-utilization")));
  }

  @Test
  void schedulerZoneOptionDefaultsToTheIngestParamsDefault() {
    assertEquals(IngestParams.defaults().schedulerZone().getId(),
        optionDefault(new IngestCommand(), "--scheduler-timezone"));
  }

  @Test
  void theManifestRecordsEveryEstimateParameterInDeclarationOrder() {
    Map<String, Object> m = EstimateParams.defaults().manifestParameters();
    RecordComponent[] components = EstimateParams.class.getRecordComponents();
    assertEquals(components.length, m.size());
    assertEquals("max_gap_factor", m.keySet().iterator().next());
    assertEquals(EstimateParams.DEFAULT_BUCKET_SECONDS, m.get("bucket_seconds"));
    assertEquals(EstimateParams.DEFAULT_PRECISION, m.get("default_precision"));
  }
}
