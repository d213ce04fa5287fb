package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.computeledger.ingest.SacctLayout.Field;
import org.junit.jupiter.api.Test;

/** The column layout on its own: where a field sits, from a header or from --sacct-columns. */
class SacctLayoutTest {

  @Test
  void headerGivesDelimiterAndFieldPositionsInAnyCaseWithParsableTrailingDelimiter() {
    SacctLayout layout = SacctLayout.fromHeader("JobID|jobname|AllocTRES|");
    assertEquals("|", layout.delimiter);
    assertEquals(3, layout.names.length);
    String line = "42|train|cpu=8,gres/gpu=4|";
    int[] bounds = layout.split(line);
    assertEquals("42", layout.get(line, bounds, Field.JOBID));
    assertEquals("cpu=8,gres/gpu=4", layout.get(line, bounds, Field.ALLOCTRES));
    assertNull(layout.get(line, bounds, Field.NODELIST));
  }

  @Test
  void lineWithoutAJobIdColumnIsNoHeader() {
    assertNull(SacctLayout.fromHeader("JobName|User|State"));
  }

  @Test
  void headerlessDelimiterPrefersACharacterThatNoValueUses() {
    // ',' (seen first) and ';' both cut the line into three; ',' occurs inside sacct values, so ';' wins
    SacctLayout layout = SacctLayout.fromColumns(List.of("JobName", "JobID", "State"), "a,b,c;7;RUNNING");
    assertEquals(";", layout.delimiter);
  }

  @Test
  void wrongFieldCountSplitsToNull() {
    SacctLayout layout = SacctLayout.fromHeader("JobID|JobName");
    assertNull(layout.split("1|a|b"));
  }
}
