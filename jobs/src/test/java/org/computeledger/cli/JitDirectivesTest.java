package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The launcher's compiler directives for a large ingest parse and install; a bad file changes nothing. */
class JitDirectivesTest {
  /** The file scripts/ledger passes, from the module folder (jobs/) the tests run in. */
  private static final Path SHIPPED = Path.of("..", "scripts", "ingest-c2.json");

  @AfterEach
  void clear() throws Exception {
    JitDirectives.diagnosticCommand("compilerDirectivesClear");
  }

  @Test
  void theShippedFileInstallsItsTwoDirectivesWithTheIngestPackageCompiledByC2() throws Exception {
    assertTrue(Files.exists(SHIPPED), SHIPPED.toAbsolutePath() + " is missing");
    String answer = JitDirectives.add(SHIPPED.toString());
    assertEquals("2 compiler directives added", answer.strip());
    String printed = String.valueOf(JitDirectives.diagnosticCommand("compilerDirectivesPrint"));
    assertTrue(printed.contains("org/computeledger/ingest/*.*"), printed);
  }

  @Test
  void aFileThatIsNotDirectivesIsRefusedByTheJvmWithoutAnExceptionAndAddsNothing(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "// not JSON\n");
    String answer = JitDirectives.add(bad.toString());
    // the JVM's own refusal (HotSpot answers "Parsing of compiler directives failed"), not the null of a JVM
    // without the DiagnosticCommand MBean
    assertNotNull(answer, "the JVM's DiagnosticCommand did not answer");
    assertTrue(answer.contains("Parsing of compiler directives failed"), answer);
    String printed = String.valueOf(JitDirectives.diagnosticCommand("compilerDirectivesPrint"));
    assertEquals(1, printed.split("Directive:", -1).length - 1, "only the default directive: " + printed);
  }
}
