package org.computeledger.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.computeledger.common.Concurrently;
import org.computeledger.common.LedgerException;
import org.computeledger.common.Progress;
import org.computeledger.common.SmallInputFlag;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Quarantine;
import org.computeledger.schema.Table;
import scala.Tuple2;

/**
 * Ingest: raw logs to canonical tables. Lists the input folder, detects every file's format from its
 * content before anything is written, parses each file in one task, and splits what the parsers made
 * into the canonical tables, the quarantine and per-file counts for the manifest.
 */
public final class Ingest {
  /** Top-level files of the input folder that are not logs (PRODUCT.md §4); read by the main job. */
  public static final List<String> DECLARATIONS =
      List.of("registry.yaml", "registry.yml", "prices.csv", "resources.csv", "fx.csv");

  /** One input file and what detection made of it. */
  public record Source(String path, String display, String folder, long bytes, FormatParser parser,
      String skippedAs) {}

  /**
   * Counts of one parsed file, as the manifest reports them. Duplicates and superseded records are
   * accepted records that were then dropped (see {@link Duplicates}), so read = accepted + quarantined
   * still holds; {@code damage} says where and how a compressed file was cut or corrupt (its readable
   * lines counted, the damage one quarantined record), null for an intact file. {@code staleMarkers}
   * are Prometheus staleness markers, a part of {@code ignored} (lines without records).
   */
  public record FileCounts(String file, String format, String sha256, long bytes, long lines,
      long accepted, long quarantined, long ignored, long rows, long duplicatesDropped, long recordsSuperseded,
      String damage, long staleMarkers) {
    public long read() {
      return accepted + quarantined;
    }
  }

  /** What an ingest wrote, for the manifest and the summary line. */
  public record Result(List<Source> sources, List<FileCounts> files, Map<Table, Long> tableRows) {}

  private Ingest() {}

  /** Lists and detects every input file; throws one clear error if any file is in no known format. */
  public static List<Source> discover(Configuration conf, String inputDir, IngestParams params) {
    Path root = new Path(inputDir);
    List<Source> sources = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new LedgerException(inputDir + ": input folder does not exist");
      }
      if (!fs.getFileStatus(root).isDirectory()) {
        throw new LedgerException(inputDir + ": is a file; --input takes a folder of logs (scheduler/, telemetry/,"
            + " billing/, registry.yaml) or a folder written by 'ledger ingest'");
      }
      root = fs.makeQualified(root);
      String rootText = root.toString();
      List<FileStatus> files = new ArrayList<>();
      if ("file".equals(fs.getScheme())) {
        listLocal(fs, root, rootText, files);
      } else {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus s = it.next();
          if (!hidden(rootText, s.getPath().toString())) {
            files.add(s);
          }
        }
      }
      files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
      for (FileStatus s : files) {
        String full = s.getPath().toString();
        String display = full.length() > rootText.length() ? full.substring(rootText.length() + 1) : s.getPath().getName();
        if (DECLARATIONS.contains(display)) {
          sources.add(new Source(full, display, "", s.getLen(), null, "declaration (" + display + ")"));
          continue;
        }
        List<String> head = head(fs, s.getPath(), display);
        String folder = s.getPath().getParent() == null ? "" : s.getPath().getParent().getName();
        if (head == null) {
          // compressed, and damaged before its first line: parsed only to quarantine the damage
          sources.add(new Source(full, display, folder, s.getLen(), Formats.UNREADABLE, null));
          continue;
        }
        FormatDetector.Detection d = FormatDetector.detect(s.getPath().getName(), head, params);
        if (!d.known()) {
          String first = FormatDetector.firstNonBlank(head);
          unknown.add(display + ": no known input format (first line: '"
              + (first == null ? "" : abbreviate(first, 80)) + "')");
        }
        sources.add(new Source(full, display, folder, s.getLen(), d.parser(), d.skippedAs()));
      }
    } catch (IOException e) {
      throw new LedgerException(inputDir + ": cannot list the input folder: " + e.getMessage(), e);
    }
    if (!unknown.isEmpty()) {
      throw new LedgerException(unknown.get(0)
          + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more such files)" : ""));
    }
    refuseWithoutLogs(inputDir, sources);
    return sources;
  }

  /**
   * The files under a local folder, hidden ones left out. Not {@code listFiles}: its located statuses
   * ask every file's permissions, which Hadoop's local file system learns by running {@code ls -ld}
   * once per file and folder (130 processes for 64 files, seconds on a loaded machine).
   */
  private static void listLocal(FileSystem fs, Path dir, String rootText, List<FileStatus> out) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      if (hidden(rootText, s.getPath().toString())) {
        continue;
      }
      if (s.isDirectory()) {
        listLocal(fs, s.getPath(), rootText, out);
      } else {
        out.add(s);
      }
    }
  }

  /** An input with no log in a known format would make an empty report that looks like a real one. */
  private static void refuseWithoutLogs(String inputDir, List<Source> sources) {
    if (sources.stream().anyMatch(s -> s.parser() != null)) {
      return;
    }
    if (sources.isEmpty()) {
      throw new LedgerException(inputDir + ": the input folder is empty (no files in it or under it, hidden ones aside)");
    }
    List<String> names = sources.stream().map(Source::display).toList();
    throw new LedgerException(inputDir + ": no scheduler, telemetry or billing file in a known format (found only "
        + String.join(", ", names.subList(0, Math.min(3, names.size())))
        + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "") + ")");
  }

  /**
   * Parses every detected file and writes the canonical tables and the quarantine under
   * {@code outDir} (which the caller commits atomically).
   */
  public static Result run(SparkSession spark, List<Source> sources, IngestParams params, String outDir) {
    return run(spark, sources, params, outDir, outDir + "/" + Table.QUARANTINE.tableName());
  }

  /** As {@link #run(SparkSession, List, IngestParams, String)}, with the quarantine written elsewhere. */
  public static Result run(SparkSession spark, List<Source> sources, IngestParams params, String outDir,
      String quarantineDir) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // the parse tasks read the configuration from one broadcast (see HadoopConf), not each from its own copy
    Broadcast<SerializableConfiguration> sharedConf =
        jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    try {
      return run(spark, jsc, HadoopConf.shared(sharedConf), sources, params, outDir, quarantineDir);
    } finally {
      // every job that reads the parse has run by now (the canonical tables and the quarantine are written)
      sharedConf.destroy();
    }
  }

  private static Result run(SparkSession spark, JavaSparkContext jsc, HadoopConf conf, List<Source> sources,
      IngestParams params, String outDir, String quarantineDir) {
    Map<Table, List<Source>> byTable = new EnumMap<>(Table.class);
    for (Source s : sources) {
      if (s.parser() != null) {
        byTable.computeIfAbsent(s.parser().table(), t -> new ArrayList<>()).add(s);
      }
    }
    // The four tables are independent: parsed and written at once, the driver plans one table's queries
    // while the executors run another's (a small input is mostly such per-query cost); merged in table order.
    Table[] tables = {Table.ALLOCATIONS, Table.GPU_SAMPLES, Table.FLOP_COUNTS, Table.CHARGES};
    List<java.util.concurrent.Callable<TableResult>> work = new ArrayList<>();
    for (Table table : tables) {
      List<Source> files = byTable.getOrDefault(table, List.of());
      work.add(() -> ingestTable(spark, jsc, conf, table, files, params, outDir));
    }
    List<TableResult> results = Concurrently.call(work);
    List<FileCounts> counts = new ArrayList<>();
    Map<Table, Long> tableRows = new EnumMap<>(Table.class);
    Dataset<Row> quarantine = spark.createDataFrame(List.of(), Table.QUARANTINE.schema());
    List<Runnable> persisted = new ArrayList<>();
    for (int i = 0; i < tables.length; i++) {
      TableResult r = results.get(i);
      counts.addAll(r.counts());
      tableRows.put(tables[i], r.rows());
      quarantine = quarantine.unionByName(r.quarantine());
      persisted.addAll(r.persisted());
    }
    // one sorted file; gathered into one partition and sorted there, without the sampling job of a global sort
    tableRows.put(Table.QUARANTINE, writeCounted(
        quarantine.repartition(1).sortWithinPartitions(col(Quarantine.SOURCE_FILE), col(Quarantine.SOURCE_LINE)),
        quarantineDir));
    persisted.forEach(Runnable::run);
    counts.sort((a, b) -> a.file().compareTo(b.file()));
    return new Result(sources, counts, tableRows);
  }

  /** What one canonical table's ingest made: per-file counts, rows written, its quarantine, how to free what it kept. */
  private record TableResult(List<FileCounts> counts, long rows, Dataset<Row> quarantine, List<Runnable> persisted) {}

  /** Parses one table's files and writes the table under {@code outDir}; its quarantine is returned, not written. */
  private static TableResult ingestTable(SparkSession spark, JavaSparkContext jsc, HadoopConf conf, Table table,
      List<Source> files, IngestParams params, String outDir) {
    List<Runnable> persisted = new ArrayList<>();
    if (files.isEmpty()) {
      // nothing to parse: the table is written empty, with none of the jobs that parsing and counting take
      spark.createDataFrame(List.of(), table.schema()).write().mode("overwrite").parquet(outDir + "/" + table.tableName());
      return new TableResult(List.of(), 0, spark.createDataFrame(List.of(), Table.QUARANTINE.schema()), persisted);
    }
    Dataset<Row> parsed = parse(spark, jsc, conf, table, files, params);
    if (table == Table.GPU_SAMPLES) {
      return ingestSamples(spark, parsed, files, outDir);
    }
    Dataset<Row> cached = keep(spark, parsed, persisted);
    Progress.say("ingest: parsing %d %s file(s)", files.size(), table.tableName());
    Callable<List<Row>> summaries = () -> cached.filter(col(Envelope.KIND).equalTo(Envelope.KIND_SUMMARY)).collectAsList();
    // the parse runs once, into the cache, by whichever query reads it first
    Function<Map<String, Long>, Written> write = offsets -> {
      Dataset<Row> flagged = keep(spark, Duplicates.flag(rows(withFileLines(cached, offsets), table), table), persisted);
      long written = writeCounted(flagged.filter(col(Duplicates.DROP).isNull()).select(columns(table)),
          outDir + "/" + table.tableName());
      Map<String, long[]> dropped = new HashMap<>();
      for (Row r : Duplicates.droppedPerFile(flagged).collectAsList()) {
        dropped.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
      }
      return new Written(written, dropped);
    };
    return summariesAndRows(spark, files, summaries, write, cached, persisted);
  }

  /** What one table's write wrote: its rows, and per file the records dropped as duplicates and superseded. */
  private record Written(long rows, Map<String, long[]> dropped) {}

  /**
   * Reads the parse's summaries and writes the table's rows. A split file's later ranges number their lines
   * from 1, so their rows need the line counts of the ranges before them, which only the summaries give:
   * with such a file the summaries come first. Without one (every file read whole, as every input but a
   * large plain telemetry file is: {@link LineSplits#mayRange}) the lines are numbered already, and both run
   * at once (see common/Concurrently): the driver plans the write while the summaries are read, and both
   * read the one parse (a shuffle, or a kept table, computed once whichever reads it first). The table's
   * result: its files' counts, its rows, and the quarantine of {@code side} (the parse's records that are no
   * rows, numbered as the rows are).
   */
  private static TableResult summariesAndRows(SparkSession spark, List<Source> files,
      Callable<List<Row>> summaries, Function<Map<String, Long>, Written> write, Dataset<Row> side,
      List<Runnable> persisted) {
    long splitBytes = splitBytes(spark);
    List<Row> sums;
    Map<String, Long> offsets;
    Written rows;
    if (files.stream().anyMatch(s -> LineSplits.mayRange(s, splitBytes))) {
      sums = Concurrently.here(summaries);
      offsets = LineSplits.offsets(rangeLines(sums));
      rows = write.apply(offsets);
    } else {
      Concurrently.Both<List<Row>, Written> both = Concurrently.both(summaries, () -> write.apply(Map.of()));
      sums = both.first();
      offsets = Map.of();
      rows = both.second();
    }
    return written(rows.rows(), sums, rows.dropped(), quarantined(withFileLines(side, offsets)), persisted);
  }

  /**
   * Telemetry, the input that runs to billions of lines: the parse goes straight into the shuffle that
   * clusters the samples by series, with no cache of it. The shuffle's output is read twice, once for the
   * quarantine and the summaries (which hold the line counts that split files' ranges need, and are few),
   * then for the rows, sorted and merged ({@link SampleDuplicates}) and written; both read the same shuffle
   * (one RDD), so the files are parsed once. A cached parse cost more (rows converted into columnar batches
   * and read back) than reading the shuffle twice.
   */
  private static TableResult ingestSamples(SparkSession spark, Dataset<Row> parsed, List<Source> files, String outDir) {
    Table table = Table.GPU_SAMPLES;
    Progress.say("ingest: parsing %d %s file(s)", files.size(), table.tableName());
    Dataset<Row> exchanged = bySeries(parsed);
    // one RDD for both reads, so that the second finds the shuffle written (with adaptive execution, already here)
    org.apache.spark.rdd.RDD<org.apache.spark.sql.catalyst.InternalRow> shuffled = exchanged.queryExecution().toRdd();
    Dataset<Row> clustered = spark.internalCreateDataFrame(shuffled, exchanged.schema(), false);
    List<Runnable> persisted = new ArrayList<>();
    Dataset<Row> side = keep(spark, clustered.filter(col(Envelope.KIND).notEqual(Envelope.KIND_ROW)), persisted);
    Callable<List<Row>> summaries = () -> side.filter(col(Envelope.KIND).equalTo(Envelope.KIND_SUMMARY)).collectAsList();
    Function<Map<String, Long>, Written> write = offsets -> {
      CollectionAccumulator<Tuple2<String, Long>> acc = spark.sparkContext().collectionAccumulator("duplicate samples");
      long written = writeCounted(SampleDuplicates.dropAdjacent(spark,
          sortedBySeries(rows(withFileLines(clustered, offsets), table)), mergingFormats(files), acc),
          outDir + "/" + table.tableName());
      Map<String, long[]> dropped = new HashMap<>();
      SampleDuplicates.perFile(acc).forEach((f, n) -> dropped.put(f, new long[] {n, 0}));
      return new Written(written, dropped);
    };
    return summariesAndRows(spark, files, summaries, write, side, persisted);
  }

  /**
   * {@code ds} kept for the several queries that read it, and how to free it added to {@code release}.
   * Spark's cache ({@code persist}) keeps rows as compressed column batches, and reads them back through a
   * column accessor it always compiles (Janino), one class per schema; for a small local input, which runs
   * without generated code ({@link SmallInputFlag} set by {@code cli/SmallInput}), building the batches
   * interpreted and compiling those classes cold cost more than the few thousand rows are worth (about
   * 1 CPU s of the sample logs' ingest), so there the rows are kept as they are, an RDD of Spark's rows
   * persisted (memory, then disk). A larger input keeps the cache, whose compression saves memory.
   */
  private static Dataset<Row> keep(SparkSession spark, Dataset<Row> ds, List<Runnable> release) {
    if (!SmallInputFlag.isSet(spark)) {
      Dataset<Row> cached = ds.persist(StorageLevel.MEMORY_AND_DISK());
      release.add(() -> cached.unpersist());
      return cached;
    }
    JavaRDD<InternalRow> rows = ds.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy)
        .persist(StorageLevel.MEMORY_AND_DISK());
    release.add(() -> rows.unpersist(false));
    return spark.internalCreateDataFrame(rows.rdd(), ds.schema(), false);
  }

  /** The lines of each range of each split file, from the parse's summaries. */
  private static Map<String, Map<Integer, Long>> rangeLines(List<Row> summaries) {
    Map<String, Map<Integer, Long>> rangeLines = new HashMap<>();
    for (Row r : summaries) {
      Integer split = r.getAs(Envelope.SPLIT);
      if (split != null && split >= 0) {
        rangeLines.computeIfAbsent(r.getAs(Quarantine.SOURCE_FILE), f -> new HashMap<>()).put(split, r.getAs(Envelope.LINES));
      }
    }
    return rangeLines;
  }

  /**
   * {@code rows} written as Parquet to {@code path} (replacing it); returns how many rows the write wrote,
   * counted as they went by ({@link Observation}) rather than by reading the table back, which was one
   * more query (planned, listed, its footers read) per table.
   */
  static long writeCounted(Dataset<Row> rows, String path) {
    Observation written = new Observation();
    rows.observe(written, count(lit(1)).as("rows")).write().mode("overwrite").parquet(path);
    try {
      // the metrics arrive with the write's end (a listener call), so this waits no longer than the write
      return (Long) written.getAsJava().get("rows");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException(path + ": interrupted while the rows written were counted", e);
    }
  }

  /** A written table's result: the files' counts with the records dropped as duplicates, and its rows. */
  private static TableResult written(long written, List<Row> summaries, Map<String, long[]> dropped,
      Dataset<Row> quarantine, List<Runnable> persisted) {
    List<FileCounts> counts = new ArrayList<>();
    for (FileCounts c : fileCounts(summaries)) {
      long[] d = dropped.getOrDefault(c.file(), new long[2]);
      counts.add(new FileCounts(c.file(), c.format(), c.sha256(), c.bytes(), c.lines(), c.accepted(), c.quarantined(),
          c.ignored(), c.rows(), d[0], d[1], c.damage(), c.staleMarkers()));
    }
    return new TableResult(counts, written, quarantine, persisted);
  }

  /**
   * One summary per file from the parse's summaries: a split file's ranges ({@link LineSplits}) summed,
   * its lines those of all ranges, its SHA-256 and size those of its hash task. Duplicates not yet counted.
   */
  static List<FileCounts> fileCounts(List<Row> summaries) {
    Map<String, List<Row>> byFile = new java.util.TreeMap<>();
    for (Row r : summaries) {
      byFile.computeIfAbsent(r.getAs(Quarantine.SOURCE_FILE), f -> new ArrayList<>()).add(r);
    }
    List<FileCounts> out = new ArrayList<>();
    byFile.forEach((file, rs) -> {
      String sha = null;
      String damage = null;
      long bytes = 0;
      long[] n = new long[6];
      for (Row r : rs) {
        if (r.getAs(Envelope.SHA256) != null) {
          sha = r.getAs(Envelope.SHA256);
          bytes = r.<Long>getAs(Envelope.BYTES);
        }
        if (r.getAs(Envelope.DAMAGE) != null) {
          damage = r.getAs(Envelope.DAMAGE);
        }
        n[0] += r.<Long>getAs(Envelope.LINES);
        n[1] += r.<Long>getAs(Envelope.ACCEPTED);
        n[2] += r.<Long>getAs(Envelope.QUARANTINED);
        n[3] += r.<Long>getAs(Envelope.IGNORED);
        n[4] += r.<Long>getAs(Envelope.ROWS);
        n[5] += r.<Long>getAs(Envelope.STALE);
      }
      out.add(new FileCounts(file, rs.get(0).getAs(Envelope.FORMAT), sha, bytes, n[0], n[1], n[2], n[3], n[4], 0, 0,
          damage, n[5]));
    });
    return out;
  }

  /**
   * The parse with every source line counted from its file's start: a row of a split file's range k
   * gains the lines of ranges 0..k-1 ({@code offsets}, keyed by {@link LineSplits#key}); as it is when
   * no file was split.
   */
  static Dataset<Row> withFileLines(Dataset<Row> env, Map<String, Long> offsets) {
    if (offsets.isEmpty()) {
      return env;
    }
    List<Column> pairs = new ArrayList<>();
    offsets.forEach((k, v) -> {
      pairs.add(lit(k));
      pairs.add(lit(v));
    });
    Column key = org.apache.spark.sql.functions.concat(col(Quarantine.SOURCE_FILE), lit("#"),
        col(Envelope.SPLIT).cast("string"));
    Column before = org.apache.spark.sql.functions.try_element_at(
        org.apache.spark.sql.functions.map(pairs.toArray(new Column[0])), key);
    return env.withColumn(Quarantine.SOURCE_LINE,
        col(Quarantine.SOURCE_LINE).plus(coalesce(before, lit(0L))).cast("long"));
  }

  /** The range size of split files: {@link LineSplits#CONF_KEY} when the session sets it. */
  private static long splitBytes(SparkSession spark) {
    return Long.parseLong(spark.conf().get(LineSplits.CONF_KEY, Long.toString(LineSplits.DEFAULT_BYTES)));
  }

  /**
   * The parse stage: one task per file, each file read once, in order; a large plain telemetry file
   * as byte ranges and a hash task ({@link LineSplits}).
   */
  static Dataset<Row> parse(SparkSession spark, JavaSparkContext jsc, HadoopConf conf, Table table,
      List<Source> files, IngestParams params) {
    List<LineSplits.Task> planned = new ArrayList<>();
    long splitBytes = splitBytes(spark);
    for (Source s : files) {
      try {
        planned.addAll(LineSplits.plan(new Path(s.path()).getFileSystem(spark.sparkContext().hadoopConfiguration()), s,
            splitBytes));
      } catch (IOException e) {
        throw new LedgerException(s.display() + ": cannot be read: " + FileParseTask.oneLine(e), e);
      }
    }
    // biggest pieces first, so that the longest tasks start early
    planned.sort((a, b) -> Long.compare(b.end() - b.start(), a.end() - a.start()));
    FileParseTask parse = new FileParseTask(table, params, conf);
    List<List<LineSplits.Task>> groups = ParseGroups.pack(planned, jsc.defaultParallelism(),
        Long.parseLong(spark.conf().get(ParseGroups.CONF_KEY, "-1")));
    if (groups != null) {
      // a small input: a few tasks of several files each (see ParseGroups)
      List<List<Row>> grouped = new ArrayList<>();
      for (List<LineSplits.Task> g : groups) {
        grouped.add(new ArrayList<>(g.stream().map(Ingest::taskRow).toList()));
      }
      JavaRDD<Row> rdd = jsc.parallelize(grouped, grouped.size()).flatMap(new ParseGroups.Task(parse));
      return InternalRows.dataset(spark, rdd, Envelope.schema(table));
    }
    List<Row> tasks = new ArrayList<>();
    for (LineSplits.Task t : planned) {
      tasks.add(taskRow(t));
    }
    JavaRDD<Row> rdd = jsc.parallelize(tasks, Math.max(1, tasks.size())).flatMap(parse);
    return InternalRows.dataset(spark, rdd, Envelope.schema(table));
  }

  /** A parse task as the row {@link FileParseTask} reads. */
  private static Row taskRow(LineSplits.Task t) {
    return RowFactory.create(t.path(), t.display(), t.folder(), t.format(), t.start(), t.end(), t.split());
  }

  /**
   * The accepted rows in the table's declared shape; telemetry rows with the number of input records
   * behind each ({@link SampleDuplicates#RECORDS}: a row that {@link MergingSink} merged from several
   * metric lines counts them). Rows of one sample that the parse task could not merge (its open samples
   * are bounded) are completed after the clustering sort, by {@link SampleDuplicates}, with no shuffle of
   * their own.
   */
  static Dataset<Row> rows(Dataset<Row> env, Table table) {
    Dataset<Row> rows = env.filter(col(Envelope.KIND).equalTo(Envelope.KIND_ROW));
    if (table != Table.GPU_SAMPLES) {
      return rows.select(columns(table));
    }
    return rows.select(withRecords(table, coalesce(col(Envelope.RECORDS), lit(1L))));
  }

  /**
   * Telemetry as the main job reads it fastest: each GPU series whole in one file, in time order, so
   * that its one pass needs no sort (see {@code estimate.TelemetryScan}); it also compresses better.
   * Each GPU series in one partition (the quarantine and the summaries, without a series, in one of them).
   */
  private static Dataset<Row> bySeries(Dataset<Row> samples) {
    return samples.repartition(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE));
  }

  /**
   * Each partition's samples by series and time; copies of one sample from several files sort next to
   * each other, by source file and line, for {@link SampleDuplicates}.
   */
  static Dataset<Row> sortedBySeries(Dataset<Row> samples) {
    return samples.sortWithinPartitions(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE),
            col(GpuSamples.TS), col(GpuSamples.SOURCE_FILE), col(GpuSamples.SOURCE_LINE));
  }

  static Dataset<Row> quarantined(Dataset<Row> env) {
    return env.filter(col(Envelope.KIND).equalTo(Envelope.KIND_QUARANTINE))
        .select(col(Quarantine.SOURCE_FILE), col(Quarantine.SOURCE_LINE), col(Envelope.FORMAT).as(Quarantine.FORMAT),
            col(Envelope.REASON).as(Quarantine.REASON), col(Envelope.RAW).as(Quarantine.RAW));
  }

  private static List<String> mergingFormats(List<Source> files) {
    return files.stream().map(Source::parser).filter(FormatParser::mergesSamples).map(FormatParser::format)
        .distinct().toList();
  }

  private static Column[] withRecords(Table table, Column records) {
    Column[] cols = java.util.Arrays.copyOf(columns(table), table.width() + 1);
    cols[table.width()] = records.as(SampleDuplicates.RECORDS);
    return cols;
  }

  private static Column[] columns(Table table) {
    return java.util.Arrays.stream(table.schema().fieldNames()).map(n -> col(n)).toArray(Column[]::new);
  }

  private static boolean hidden(String root, String path) {
    String rel = path.length() > root.length() ? path.substring(root.length()) : path;
    for (String part : rel.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  /** The first lines of a file as parsers see them; null when it is compressed and damaged before any line. */
  static List<String> head(FileSystem fs, Path p, String display) {
    try (java.io.InputStream magic = fs.open(p)) {
      if (ParquetText.isParquet(magic)) {
        try {
          return ParquetText.head(fs.getConf(), p, FormatDetector.HEAD_LINES);
        } catch (IOException | RuntimeException e) {
          return null; // a damaged Parquet file: parsed only to quarantine the damage
        }
      }
    } catch (IOException e) {
      throw new LedgerException(display + ": cannot be read: " + FileParseTask.oneLine(e), e);
    }
    List<String> lines = new ArrayList<>();
    try (InputText.Decompressed in = InputText.open(fs.open(p));
        BufferedReader r = new BufferedReader(InputText.text(in, Plausibility.MAX_LINE_CHARS))) {
      String line;
      while (lines.size() < FormatDetector.HEAD_LINES && (line = r.readLine()) != null) {
        lines.add(line);
      }
      if (lines.isEmpty() && in.damage() != null) {
        return null;
      }
    } catch (IOException e) {
      throw new LedgerException(display + ": cannot be read: " + FileParseTask.oneLine(e), e);
    }
    return lines;
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n) + "…";
  }
}
