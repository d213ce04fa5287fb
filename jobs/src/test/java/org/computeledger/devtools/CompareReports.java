package org.computeledger.devtools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Whether two reports of {@code ledger run} hold the same content: every Parquet table row for row
 * with rows in any order (a multiset difference both ways, so a duplicated row counts), and every
 * number of {@code methodology.md} in order. Used by {@code scripts/compare-reports} to hold a cluster
 * run to a local one; the manifest is not compared (its file names and hashes differ by design when
 * Spark numbers its part files differently).
 *
 * <p>Usage: {@code CompareReports REPORT_A REPORT_B}; exit 0 when equal, 1 with each difference named.
 */
public final class CompareReports {
  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

  private CompareReports() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: CompareReports REPORT_A REPORT_B");
      System.exit(2);
    }
    Path a = Path.of(args[0]);
    Path b = Path.of(args[1]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("compare-reports")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    List<String> differences = new ArrayList<>();
    TreeSet<String> tables = new TreeSet<>(tables(a));
    TreeSet<String> inB = new TreeSet<>(tables(b));
    for (String t : tables) {
      if (!inB.contains(t)) {
        differences.add(t + ": only in " + a);
      }
    }
    for (String t : inB) {
      if (!tables.contains(t)) {
        differences.add(t + ": only in " + b);
      }
    }
    tables.retainAll(inB);
    for (String t : tables) {
      Dataset<Row> x = comparable(spark.read().parquet(a.resolve(t).toString()));
      Dataset<Row> y = comparable(spark.read().parquet(b.resolve(t).toString()));
      if (!x.schema().equals(y.schema())) {
        differences.add(t + ": schemas differ: " + x.schema().simpleString() + " vs " + y.schema().simpleString());
        continue;
      }
      long onlyA = x.exceptAll(y).count();
      long onlyB = y.exceptAll(x).count();
      long rows = x.count();
      if (onlyA != 0 || onlyB != 0) {
        differences.add(String.format("%s: %d row(s) only in A, %d only in B (A has %d)", t, onlyA, onlyB, rows));
        x.exceptAll(y).show(3, false);
        y.exceptAll(x).show(3, false);
      } else {
        System.out.printf("compare-reports: %-34s %,d row(s) equal%n", t, rows);
      }
    }
    // an ingest output has no methodology.md: only its tables are compared
    boolean docA = Files.exists(a.resolve("methodology.md"));
    if (docA != Files.exists(b.resolve("methodology.md"))) {
      differences.add("methodology.md: only in " + (docA ? a : b));
    } else if (docA) {
      differences.addAll(numbers(a.resolve("methodology.md"), b.resolve("methodology.md")));
    }
    spark.stop();
    if (differences.isEmpty()) {
      System.out.printf("compare-reports: %d table(s)%s are the same in %s and %s%n",
          tables.size(), docA ? " and the methodology's numbers" : "", a, b);
      System.exit(0);
    }
    differences.forEach(d -> System.out.println("compare-reports: DIFFERS " + d));
    System.exit(1);
  }

  /** Map columns as their entries sorted by key: Spark's set operations refuse maps, and a map has no order. */
  static Dataset<Row> comparable(Dataset<Row> ds) {
    for (org.apache.spark.sql.types.StructField f : ds.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.MapType) {
        ds = ds.withColumn(f.name(), org.apache.spark.sql.functions.array_sort(
            org.apache.spark.sql.functions.map_entries(org.apache.spark.sql.functions.col(f.name()))));
      }
    }
    return ds;
  }

  /** Folders (relative) that hold Parquet files directly or in partition folders (name=value). */
  static List<String> tables(Path report) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(report)) {
      for (Path d : s.filter(Files::isDirectory).toList()) {
        if (d.getFileName().toString().contains("=") || d.getFileName().toString().startsWith("_")) {
          continue;
        }
        try (Stream<Path> c = Files.list(d)) {
          if (c.anyMatch(f -> f.getFileName().toString().endsWith(".parquet")
              || (Files.isDirectory(f) && f.getFileName().toString().contains("=")))) {
            out.add(report.relativize(d).toString());
          }
        }
      }
    }
    return out;
  }

  /** Every number of both documents in order, line by line; a difference names the line. */
  static List<String> numbers(Path a, Path b) throws IOException {
    List<String> la = Files.readAllLines(a);
    List<String> lb = Files.readAllLines(b);
    List<String> out = new ArrayList<>();
    if (la.size() != lb.size()) {
      out.add("methodology.md: " + la.size() + " lines vs " + lb.size());
    }
    for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
      if (!found(la.get(i)).equals(found(lb.get(i)))) {
        out.add("methodology.md line " + (i + 1) + ": '" + la.get(i) + "' vs '" + lb.get(i) + "'");
      }
    }
    return out;
  }

  private static List<String> found(String line) {
    List<String> n = new ArrayList<>();
    Matcher m = NUMBER.matcher(line);
    while (m.find()) {
      n.add(m.group());
    }
    return n;
  }
}
