package org.computeledger.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ledger show}: prints a report table, so that a report can be read without other tools. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Print rows of a Parquet table of a report (e.g. out/line_items), one column per line.")
final class ShowCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TABLE_DIR", description = "A table folder, e.g. out/sample/line_items.")
  String table;

  @Option(names = "--where", paramLabel = "SQL", description = "A Spark SQL filter, e.g. \"project = 'atlas'\".")
  String where;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Rows to print. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.create("ledger show", null);
    try {
      Dataset<Row> d = spark.read().parquet(table);
      if (where != null) {
        d = d.filter(where);
      }
      d.show(limit, 0, true);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
