package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The damaged corpus ({@code src/test/resources/corpus/damaged-sample-logs}, see its CORPUS.md) dropped
 * into a copy of the bundled sample-logs: the ingest goes through, every corpus file is listed with
 * counts that add up and accepts nothing, and the canonical tables hold exactly the clean rows.
 */
class DamagedCorpusTest extends SparkTestBase {
  static final Path CORPUS = Path.of("src/test/resources/corpus/damaged-sample-logs");
  private static final IngestParams PARAMS = IngestParams.defaults().withRunInstant(Instant.parse("2026-12-04T14:30:00Z"));

  @TempDir Path tmp;

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private Ingest.Result ingest(Path in, Path out) {
    List<Ingest.Source> sources = Ingest.discover(spark().sparkContext().hadoopConfiguration(), in.toString(), PARAMS);
    return Ingest.run(spark(), sources, PARAMS, out.toString());
  }

  /** A table without where its rows came from, maps as sorted JSON (set operations refuse maps). */
  private Dataset<Row> comparable(Path table) {
    Dataset<Row> d = spark().read().parquet(table.toString()).drop("source_file", "source_line");
    for (org.apache.spark.sql.types.StructField f : d.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.MapType) {
        d = d.withColumn(f.name(), org.apache.spark.sql.functions.to_json(
            org.apache.spark.sql.functions.array_sort(org.apache.spark.sql.functions.map_entries(d.col(f.name())))));
      }
    }
    return d;
  }

  @Test
  void damagedSampleLogsGiveTheCleanCanonicalRowsAndQuarantineEveryDamage() throws IOException {
    Path clean = tmp.resolve("clean");
    Path damaged = tmp.resolve("damaged");
    copyTree(CollectingSink.bundledSample(""), clean);
    copyTree(CollectingSink.bundledSample(""), damaged);
    copyTree(CORPUS, damaged);

    Ingest.Result c = ingest(clean, tmp.resolve("clean-out"));
    Ingest.Result d = ingest(damaged, tmp.resolve("damaged-out"));

    List<String> corpusFiles;
    try (Stream<Path> files = Files.walk(CORPUS)) {
      corpusFiles = files.filter(Files::isRegularFile).map(p -> CORPUS.relativize(p).toString()).sorted().toList();
    }
    for (String f : corpusFiles) {
      Ingest.Source s = d.sources().stream().filter(x -> x.display().equals(f)).findFirst().orElseThrow();
      if (s.parser() == null) {
        Assertions.assertTrue(f.endsWith(".md") || "empty file".equals(s.skippedAs()), f + ": " + s.skippedAs());
        continue;
      }
      Ingest.FileCounts n = d.files().stream().filter(x -> x.file().equals(f)).findFirst().orElseThrow();
      assertEquals(0, n.accepted(), f + " accepts nothing");
      Assertions.assertTrue(n.quarantined() > 0, f + " quarantines its damage");
      assertEquals(n.lines(), n.accepted() + n.quarantined() + n.ignored(), f + " lines");
    }
    for (Table t : new Table[] {Table.ALLOCATIONS, Table.GPU_SAMPLES, Table.FLOP_COUNTS, Table.CHARGES}) {
      Dataset<Row> a = comparable(tmp.resolve("clean-out").resolve(t.tableName()));
      Dataset<Row> b = comparable(tmp.resolve("damaged-out").resolve(t.tableName()));
      assertEquals(0, a.exceptAll(b).count(), t.tableName() + ": clean rows missing");
      assertEquals(0, b.exceptAll(a).count(), t.tableName() + ": rows the damage added");
    }
    assertEquals(c.tableRows().get(Table.GPU_SAMPLES), d.tableRows().get(Table.GPU_SAMPLES));
  }
}
