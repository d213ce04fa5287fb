package org.computeledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.computeledger.common.OutputDir;
import org.computeledger.report.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ledger verify}: re-hashes a report folder against its manifest; non-zero on any difference. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Re-hash every output file (and with --input every raw input) against manifest.json; exit 1 on any mismatch, missing or extra file.")
final class VerifyCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Report or ingest folder.")
  String out;

  @Option(names = "--input", paramLabel = "DIR",
      description = "Also re-hash the raw inputs the manifest names, in this folder: changed, missing and unlisted files are problems.")
  String input;

  @Override
  public Integer call() {
    Configuration conf = new Configuration();
    // a run killed while replacing the folder may have left the previous one moved aside
    OutputDir.recover(out, conf);
    ObjectNode manifest = Manifest.read(conf, out);
    Map<String, String> expected = new HashMap<>();
    for (JsonNode n : manifest.path("outputs")) {
      expected.put(n.path("path").asText(), n.path("sha256").asText());
    }
    List<String[]> actual = Manifest.hashTree(conf, out);
    int problems = 0;
    for (String[] f : actual) {
      String want = expected.remove(f[0]);
      if (want == null) {
        System.out.println("EXTRA     " + f[0]);
        problems++;
      } else if (!want.equals(f[1])) {
        System.out.println("MISMATCH  " + f[0] + " (manifest " + want + ", file " + f[1] + ")");
        problems++;
      }
    }
    for (String missing : expected.keySet()) {
      System.out.println("MISSING   " + missing);
      problems++;
    }
    int inputProblems = 0;
    if (input != null) {
      // inputs are checked even when outputs failed: an auditor wants every difference at once
      Map<String, String> listed = org.computeledger.audit.InputCheck.listed(manifest);
      for (org.computeledger.audit.InputCheck.Finding f : org.computeledger.audit.InputCheck.compare(listed,
          org.computeledger.audit.InputCheck.hashFolder(java.nio.file.Path.of(input)))) {
        System.out.println(f);
        inputProblems++;
      }
      System.out.println(inputProblems == 0
          ? "verify: " + listed.size() + " input file(s) under " + input + " match manifest.json"
          : "verify: " + inputProblems + " input problem(s) under " + input);
    }
    System.out.println(problems == 0
        ? "verify: " + actual.size() + " file(s) match manifest.json"
        : "verify: " + problems + " problem(s) in " + out);
    problems += inputProblems;
    return problems == 0 ? 0 : 1;
  }
}
