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

  @Command(name = "trends", description = "Compute and cost per project and month, growth, method mix, charts (not available yet).")
  static final class Trends extends NotYetCommand {
    @Option(names = "--out", description = "Report folder.") String out;
  }
}
