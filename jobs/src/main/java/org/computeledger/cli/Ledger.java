package org.computeledger.cli;

import java.io.PrintWriter;
import org.computeledger.common.LedgerException;
import org.computeledger.ingest.InputFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ledger} command: parses the command line and hands each sub-command to its job. */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    version = "compute-ledger " + org.computeledger.report.Manifest.TOOL_VERSION,
    description = "Itemized, auditable accounts of the compute (FLOP) and money spent developing AI models.",
    subcommands = {
      RunCommand.class,
      IngestCommand.class,
      VerifyCommand.class,
      ShowCommand.class,
      AuditSampleCommand.class,
      AuditRecomputeCommand.class,
      TrendsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Ledger implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // before Spark or Hadoop log anything: their start-up warnings too stay off the console
    org.apache.logging.log4j.core.config.Configurator.setRootLevel(
        org.apache.logging.log4j.Level.toLevel(SparkSessions.consoleLevel()));
    JitDirectives.install();
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code; never prints a bare stack trace. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Ledger());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      String message = userMessage(e);
      if (message != null) {
        err.println("ledger: error: " + message.replace("\r", " ").replace('\n', ' '));
        if (SparkSessions.debug()) {
          e.printStackTrace(err);
        }
        err.flush();
        return 1;
      }
      err.println("ledger: internal error: " + oneLine(e) + " (set LEDGER_DEBUG=1 for the stack trace)");
      if (SparkSessions.debug()) {
        e.printStackTrace(err);
      }
      err.flush();
      return 3;
    });
    return cli.execute(args);
  }

  /** An unexpected error on one line: Spark's messages often span many, with a plan or a trace. */
  static String oneLine(Throwable e) {
    String text = e.toString();
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl) + " …";
  }

  /** The one-line message of an error the user can act on, found anywhere in the cause chain. */
  static String userMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LedgerException || t instanceof InputFileException) {
        return t.getMessage();
      }
      // an executor's error reaches the driver inside a SparkException, sometimes only as text
      String m = t.getMessage();
      if (m != null) {
        int i = m.indexOf(InputFileException.class.getName() + ": ");
        if (i >= 0) {
          String rest = m.substring(i + InputFileException.class.getName().length() + 2);
          int nl = rest.indexOf('\n');
          return nl >= 0 ? rest.substring(0, nl) : rest;
        }
      }
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
