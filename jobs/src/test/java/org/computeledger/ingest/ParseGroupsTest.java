package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/** A small input's parse in one task per core: how files are grouped, and that a group parses as its files would. */
class ParseGroupsTest {
  private static final Path SAMPLE_LOGS = Path.of(System.getProperty("ledger.sampleLogs", "../sample-logs"));

  private static LineSplits.Task file(String name, long bytes) {
    return new LineSplits.Task("file:/in/" + name, name, "dcgm", "prometheus", 0, bytes, LineSplits.WHOLE);
  }

  private static List<String> names(List<LineSplits.Task> group) {
    return group.stream().map(LineSplits.Task::display).toList();
  }

  private static final long BOUND = 64L << 20;

  @Test
  void eachFileGoesBiggestFirstIntoTheLightestGroup() {
    List<List<LineSplits.Task>> groups = ParseGroups.pack(List.of(file("a", 10), file("b", 8), file("c", 5),
        file("d", 4), file("e", 1)), 2, BOUND);
    // a (10) and b (8) open the groups; c joins b (8 < 10), d joins a (10 < 13), e joins b (13 < 14)
    assertEquals(List.of("a", "d"), names(groups.get(0)));
    assertEquals(List.of("b", "c", "e"), names(groups.get(1)));
  }

  @Test
  void anInputAboveTheBoundKeepsOneTaskPerFile() {
    assertNull(ParseGroups.pack(List.of(file("a", BOUND), file("b", 1), file("c", 1)), 2, BOUND));
  }

  @Test
  void noMoreFilesThanCoresKeepsOneTaskPerFile() {
    assertNull(ParseGroups.pack(List.of(file("a", 10), file("b", 8)), 2, BOUND));
  }

  @Test
  void aGroupGivesTheRowsOfItsFilesParsedOneByOne() throws Exception {
    IngestParams params = IngestParams.defaults().withRunInstant(java.time.Instant.parse("2026-12-04T14:30:00Z"));
    List<Row> files = new ArrayList<>();
    for (String f : List.of("telemetry/dcgm/gpu005/2026-03-03.prom.gz", "telemetry/dcgm/gpu006/2026-02-18.prom.gz")) {
      Path p = SAMPLE_LOGS.resolve(f).toAbsolutePath();
      files.add(RowFactory.create(p.toUri().toString(), f, "dcgm", new PrometheusParser().format(), 0L, Files.size(p),
          LineSplits.WHOLE));
    }
    FileParseTask parse = new FileParseTask(Table.GPU_SAMPLES, params, Configuration::new);
    List<Row> oneByOne = new ArrayList<>();
    for (Row f : files) {
      parse.call(f).forEachRemaining(oneByOne::add);
    }
    List<Row> grouped = new ArrayList<>();
    Iterator<Row> it = new ParseGroups.Task(parse).call(files);
    it.forEachRemaining(grouped::add);
    assertTrue(oneByOne.size() > 100, oneByOne.size() + " rows");
    assertEquals(oneByOne.size(), grouped.size());
    assertEquals(oneByOne.toString(), grouped.toString());
  }
}
