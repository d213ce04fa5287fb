package org.computeledger.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ledger run}: the main job. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "The main job: ingest, estimate, attribute, report (not available yet).")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of raw logs, or an ingest output.")
  String input;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Report folder; replaced atomically.")
  String out;

  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    System.err.println("ledger: run is not available yet; use ledger ingest");
    return 2;
  }
}
