package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.computeledger.common.StageCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample's manifest lists what an auditor receives, not a cluster's scratch checkpoints. */
class AuditSampleManifestTest {
  @TempDir Path to;

  @Test
  void theManifestDoesNotListTheCheckpointFolder() throws Exception {
    Files.createDirectories(to.resolve("evidence"));
    Files.writeString(to.resolve("evidence").resolve("sacct.txt"), "1|2\n");
    Path rdd = Files.createDirectories(to.resolve(StageCheckpoint.FOLDER).resolve("c0ffee").resolve("rdd-4"));
    Files.writeString(rdd.resolve("part-00000"), "x");
    AuditSample.writeManifest(to, new AuditSample.Params("report", "logs", 8, 7, 2, 3, to.toString()));
    JsonNode m = new ObjectMapper().readTree(to.resolve("manifest.json").toFile());
    List<String> paths = new ArrayList<>();
    m.path("files").forEach(f -> paths.add(f.path("path").asText()));
    assertEquals(List.of("evidence/sacct.txt"), paths);
  }
}
