package org.computeledger.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.computeledger.audit.AuditRecompute;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ledger audit-recompute}: the thin shell around {@link AuditRecompute}. */
@Command(name = "audit-recompute", mixinStandardHelpOptions = true,
    description = "Recompute an audit sample from its raw lines alone, compare with the report, estimate the report's "
        + "total FLOP error; exit 1 when any unit differs by more than the tolerance.")
final class AuditRecomputeCommand implements Callable<Integer> {
  @Option(names = "--sample", required = true, paramLabel = "DIR", description = "A folder made by ledger audit-sample.")
  String sample;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: embedded local[*].")
  String master;

  @Override
  public Integer call() throws Exception {
    AuditRecompute.Outcome o = AuditRecompute.recompute(Path.of(sample));
    // Spark only writes the comparison table: the recompute itself is plain Java over the sample
    SparkSession spark = SparkSessions.create("ledger audit-recompute", master);
    try {
      AuditRecompute.write(spark, Path.of(sample), o);
    } finally {
      spark.stop();
    }
    System.out.print(org.computeledger.audit.AuditRecompute.markdown(o));
    System.out.println("audit-recompute: " + o.units().size() + " unit(s) and " + o.costs().size() + " job cost(s), "
        + o.flagged() + " beyond tolerance" + (o.notParsed().isEmpty() ? "" : ", " + o.notParsed().size()
            + " piece(s) of evidence not parsed again (listed above)") + "; written to " + sample + "/recompute/");
    return o.flagged() == 0 ? 0 : 1;
  }
}
