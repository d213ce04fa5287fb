package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.Registry;
import org.computeledger.standards.Standard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * registry.yaml, standard files and prices.csv are a user's files: read as plain data, never as
 * objects, and only up to a size; each refusal is one line naming the file and the line.
 */
class UntrustedFilesTest {
  @TempDir Path tmp;

  private static final String REGISTRY = """
      developer: Example Lab
      projects:
        - id: atlas
          development_start: 2026-01-01
          precision: bf16
          branches:
            - id: pretrain
              activity: pretraining
              match: { slurm: { account: atlas } }
      """;

  private static String registryRefusal(String yaml) {
    RuntimeException e = assertThrows(RuntimeException.class, () -> Registry.parse(yaml, "registry.yaml"));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  private String standardRefusal(String yaml) throws IOException {
    Path file = tmp.resolve("mine.yaml");
    Files.writeString(file, yaml);
    RuntimeException e = assertThrows(LedgerException.class, () -> Standard.load(file));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void aJavaTagInTheRegistryIsRefusedWithFileAndLine() {
    String yaml = REGISTRY.replace("developer: Example Lab", "developer: !!javax.script.ScriptEngineManager [x]");
    assertEquals("registry.yaml:1: not accepted: a tag (!!javax.script.ScriptEngineManager); write plain values"
        + " (tags, anchors and aliases are refused in this file)", registryRefusal(yaml));
  }

  @Test
  void aLocalTagOnAScalarIsRefusedToo() {
    assertTrue(registryRefusal(REGISTRY.replace("account: atlas", "account: !secret atlas"))
        .startsWith("registry.yaml:9: not accepted: a tag (!secret)"));
  }

  @Test
  void aBillionLaughsRegistryIsRefusedAtItsFirstAnchor() {
    StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      char p = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
    }
    assertEquals("registry.yaml:1: not accepted: an anchor (&a); write plain values (tags, anchors and aliases are"
        + " refused in this file)", registryRefusal(yaml.toString()));
  }

  @Test
  void anAliasIsRefusedRatherThanReadAsTheAnchorsName() {
    String yaml = REGISTRY.replace("account: atlas", "account: *atlas");
    assertTrue(registryRefusal(yaml).startsWith("registry.yaml:9: not accepted: an alias (*atlas)"));
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() {
    String deep = "[".repeat(SafeYaml.MAX_DEPTH + 1) + "]".repeat(SafeYaml.MAX_DEPTH + 1);
    assertEquals("registry.yaml:2: not accepted: mappings and lists nested deeper than 64 levels",
        registryRefusal("developer: x\nprojects: " + deep + "\n"));
  }

  @Test
  void aStandardFileWithATagAnAnchorOrAnAliasIsRefused() throws IOException {
    String s = "id: mine\nversion: !!java.net.URL [\"http://example.org\"]\n";
    assertTrue(standardRefusal(s).endsWith("mine.yaml:2: not accepted: a tag (!!java.net.URL); write plain values"
        + " (tags, anchors and aliases are refused in this file)"), standardRefusal(s));
    assertTrue(standardRefusal("id: mine\nsources: &s [a]\nnotes: *s\n").endsWith("mine.yaml:2: not accepted: an"
        + " anchor (&s); write plain values (tags, anchors and aliases are refused in this file)"));
    // Jackson does not report an anchor on a scalar, but any alias to it is refused
    assertTrue(standardRefusal("id: &x mine\nversion: *x\n").endsWith("mine.yaml:2: not accepted: an alias (*x);"
        + " write plain values (tags, anchors and aliases are refused in this file)"));
  }

  @Test
  void aStandardFileStillRefusesADuplicateKey() throws IOException {
    assertTrue(standardRefusal("id: mine\nid: yours\n").contains("not valid YAML: Duplicate field 'id'"),
        standardRefusal("id: mine\nid: yours\n"));
  }

  @Test
  void aStandardFileOverOneMebibyteIsRefusedBeforeParsing() throws IOException {
    String big = "id: mine\nnotes:\n" + ("  - " + "x".repeat(1000) + "\n").repeat(1100);
    assertTrue(standardRefusal(big).endsWith("mine.yaml: is larger than 1 MiB, the limit for this file"));
  }

  @Test
  void aRegistryOverSixteenMebibytesIsRefused() throws IOException {
    Path file = tmp.resolve("registry.yaml");
    Files.writeString(file, REGISTRY + ("# " + "x".repeat(1022) + "\n").repeat(16 * 1024));
    RuntimeException e = assertThrows(RuntimeException.class, () -> Registry.load(file));
    assertEquals(file + ": is larger than 16 MiB, the limit for this file", e.getMessage());
  }

  @Test
  void aRegistryLargerThanSnakeYamlsDefaultLimitStillReads() {
    // SnakeYAML refuses documents over 3 MiB by default; the registry's documented limit is 16 MiB
    String big = REGISTRY + ("# " + "x".repeat(1022) + "\n").repeat(4 * 1024);
    assertEquals("Example Lab", Registry.parse(big, "registry.yaml").developer());
  }

  @Test
  void aPricesFileOverItsLimitIsRefusedWhileStreaming() {
    InputStream endless = new InputStream() {
      private long n;

      @Override
      public int read() {
        return n++ == 0 ? 'x' : '\n';
      }
    };
    LedgerException e = assertThrows(LedgerException.class, () -> UntrustedInput.readText(endless, "prices.csv",
        UntrustedInput.SIDE_FILE_MAX_BYTES));
    assertEquals("prices.csv: is larger than 64 MiB, the limit for this file", e.getMessage());
  }

  @Test
  void aPricesFileUnderItsLimitParses() throws IOException {
    Path file = tmp.resolve("prices.csv");
    Files.writeString(file, "gpu_model,price_per_gpu_hour,currency,effective_date,source\n"
        + "h100-sxm,2.50,USD,2026-01-01,=HYPERLINK(\"http://x\")\n");
    assertEquals(1, MarketPrices.parse(file).size());
    assertEquals("x", UntrustedInput.readText(new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), "f", 1));
  }
}
