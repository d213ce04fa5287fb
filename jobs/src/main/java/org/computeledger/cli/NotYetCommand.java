package org.computeledger.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Commands of the product contract that this version does not have yet: they say so and exit 2. */
abstract class NotYetCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    System.err.println("ledger: " + getClass().getAnnotation(Command.class).name() + " is not available yet");
    return 2;
  }

  @Command(name = "audit-sample", description = "Reproducible sample of line items with the raw evidence behind them (not available yet).")
  static final class AuditSample extends NotYetCommand {
    @Option(names = "--out", description = "Report folder.") String out;
    @Option(names = "--size", description = "Number of line items.") Integer size;
    @Option(names = "--seed", description = "Random seed.") Long seed;
    @Option(names = "--to", description = "Folder for the sample.") String to;
  }

  @Command(name = "audit-recompute", description = "Recompute a sample from its raw evidence and compare (not available yet).")
  static final class AuditRecompute extends NotYetCommand {
    @Option(names = "--sample", description = "Sample folder.") String sample;
  }
}
