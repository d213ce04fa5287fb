package org.computeledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' one way to the real input samples kept outside the project ({@code ../shared/real-samples}
 * beside the worktree). The product never reads them; tests that do are skipped, with one message
 * naming the folder that was looked for, when it is absent, so a checkout on its own still passes.
 *
 * <p>The folder is {@code -Dledger.realSamples=PATH} (Surefire sets it from the Maven property of the
 * same name, so {@code mvn test -Dledger.realSamples=/nowhere} shows what a checkout without it does).
 * A test calls {@link #file} inside its body (that test alone is skipped); a class whose static
 * fields read a sample is annotated {@code @ExtendWith(RealSamples.class)}, which skips it whole
 * before those fields are initialized.
 */
public final class RealSamples implements ExecutionCondition {
  /** System property naming the folder; without it, the path relative to {@code jobs/}. */
  public static final String PROPERTY = "ledger.realSamples";
  private static final String DEFAULT = "../../shared/real-samples";

  /** The folder looked for, absolute so the message says exactly where. */
  public static Path root() {
    return Path.of(System.getProperty(PROPERTY, DEFAULT)).toAbsolutePath().normalize();
  }

  public static boolean present() {
    return Files.isDirectory(root());
  }

  /** Why a test needing the samples does not run. */
  public static String missingMessage() {
    return "real samples not found at " + root() + " (set -D" + PROPERTY + "=PATH to the shared"
        + " real-samples folder); skipping a test that reads them";
  }

  /**
   * Path of a file under the samples folder; skips the calling test when the folder is absent. A file
   * missing from a folder that is there is left to fail the test: that is a broken fixture, not an
   * absent one.
   */
  public static Path file(String relative) {
    Assumptions.assumeTrue(present(), RealSamples::missingMessage);
    return root().resolve(relative);
  }

  /** The lines of a sample file (UTF-8), skipping the test when the folder is absent. */
  public static List<String> lines(String relative) {
    try {
      return Files.readAllLines(file(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of a sample file (UTF-8), skipping the test when the folder is absent. */
  public static String text(String relative) {
    try {
      return Files.readString(file(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As an extension: a whole class is skipped (its static fields never run) when the folder is absent. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return present()
        ? ConditionEvaluationResult.enabled("real samples at " + root())
        : ConditionEvaluationResult.disabled(missingMessage());
  }
}
