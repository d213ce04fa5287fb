package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.computeledger.common.LedgerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json: the run's parameters as given, every output file hashed, and a round trip through the file. */
class ManifestTest {
  private static final Configuration CONF = new Configuration();
  /** SHA-256 of the three bytes "abc" (FIPS 180-2, appendix B.1). */
  private static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir
  Path dir;

  @Test
  void theParametersAreThoseGiven() {
    Map<String, Object> params = new TreeMap<>(Map.of("bucket_seconds", 3600L, "default_precision", "bf16"));
    ObjectNode m = Manifest.newManifest("run", params);
    assertEquals("run", m.get("command").asText());
    assertEquals(3600L, m.get("parameters").get("bucket_seconds").asLong());
    assertEquals("bf16", m.get("parameters").get("default_precision").asText());
    assertEquals(2, m.get("parameters").size());
  }

  @Test
  void everyOutputFileIsHashedButTheManifestAndHadoopSideFiles() throws IOException {
    Files.createDirectories(dir.resolve("line_items"));
    Files.writeString(dir.resolve("line_items/part-0.parquet"), "abc", StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("line_items/.part-0.parquet.crc"), "x");
    Files.writeString(dir.resolve("line_items/_SUCCESS"), "");
    Files.writeString(dir.resolve("methodology.md"), "");
    Files.writeString(dir.resolve(Manifest.FILE), "{}");

    List<String[]> files = Manifest.hashTree(CONF, dir.toString());

    assertEquals(2, files.size());
    assertEquals("line_items/part-0.parquet", files.get(0)[0]);
    assertEquals(SHA256_ABC, files.get(0)[1]);
    assertEquals("3", files.get(0)[2]);
    assertEquals("methodology.md", files.get(1)[0]);
  }

  @Test
  void manyFilesHashedAtOnceEachGetTheirOwnHash() throws Exception {
    // more files than cores, so that every hashing thread takes several, in a partitioned layout
    java.util.Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 23; i++) {
      String rel = "gpu_usage/day=2026-01-" + String.format("%02d", i + 1) + "/part-00000.parquet";
      Files.createDirectories(dir.resolve(rel).getParent());
      byte[] content = ("day " + i + " ").repeat(1 + i * 1000).getBytes(StandardCharsets.US_ASCII);
      Files.write(dir.resolve(rel), content);
      expected.put(rel, java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(content)) + " " + content.length);
    }

    List<String[]> files = Manifest.hashTree(CONF, dir.toString());

    java.util.Map<String, String> actual = new TreeMap<>();
    for (String[] f : files) {
      actual.put(f[0], f[1] + " " + f[2]);
    }
    assertEquals(expected, actual);
    assertEquals(new java.util.ArrayList<>(expected.keySet()), files.stream().map(f -> f[0]).toList(),
        "sorted by path");
  }

  @Test
  void aWrittenManifestReadsBackTheSame() {
    ObjectNode m = Manifest.newManifest("ingest", Map.of("scheduler_zone", "UTC"));
    Manifest.write(m, CONF, dir.toString());
    assertEquals(m.toString(), Manifest.read(CONF, dir.toString()).toString());
  }

  @Test
  void aMissingManifestIsOneLineNamingTheFile() {
    LedgerException e = assertThrows(LedgerException.class, () -> Manifest.read(CONF, dir.toString()));
    assertTrue(e.getMessage().contains(Manifest.FILE), e.getMessage());
  }
}
