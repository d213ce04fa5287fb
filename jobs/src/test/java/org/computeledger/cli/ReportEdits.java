package org.computeledger.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.computeledger.report.Manifest;
import org.junit.jupiter.api.Assertions;

/**
 * What the audit tests do to a report to play a dishonest lab: copy it, change a table, and rewrite the
 * manifest so that {@code ledger verify} still passes (the edit the recompute, not verify, must catch).
 */
final class ReportEdits {
  private ReportEdits() {}

  /** Copies the report folder {@code from} to {@code to}, without Hadoop's .crc side files. */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().endsWith(".crc")) {
          Files.copy(p, t);
        }
      }
    }
  }

  /** Deletes {@code dir} and everything below it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Rewrites {@code report}'s manifest over its edited files and checks that verify now passes. */
  static void rehash(Path report) {
    Configuration conf = new Configuration();
    ObjectNode m = Manifest.read(conf, report.toString());
    Manifest.addOutputs(m, conf, report.toString());
    Manifest.write(m, conf, report.toString());
    Assertions.assertEquals(0, Ledger.execute("verify", "--out", report.toString()), "the rehashed manifest matches");
  }
}
