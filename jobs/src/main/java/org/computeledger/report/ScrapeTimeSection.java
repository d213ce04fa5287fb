package org.computeledger.report;

import org.computeledger.ingest.IngestParams;

/**
 * The methodology's paragraph on how raw Prometheus scrapes (samples without timestamps) were placed
 * in time, written only when the run was told how ({@code --scrape-time}, {@code --scrape-time-from-mtime}).
 */
final class ScrapeTimeSection {
  private ScrapeTimeSection() {}

  static String render(IngestParams p) {
    if (p == null || (p.scrapeTime() == null && !p.scrapeTimeFromMtime())) {
      return "";
    }
    StringBuilder md = new StringBuilder("## Raw Prometheus scrapes\n\n");
    md.append("A raw scrape (an exporter's `/metrics` saved to a file) carries no timestamps. Its samples were "
        + "dated, unless a `# scrape_time:` comment in the file states its own time, ");
    if (p.scrapeTime() != null) {
      md.append("by the time this run was given: `--scrape-time ").append(p.scrapeTime())
          .append("`, the same for every such file.");
    } else {
      md.append("by each file's modification time (`--scrape-time-from-mtime`). That is the time the file was last "
          + "written, which is the scrape time only if the file was saved as it was scraped and not copied or "
          + "touched since (a copy that keeps times, such as `cp -p` or `rsync -t`, keeps it); a compressed file "
          + "has the time it was compressed.");
    }
    md.append(" Samples whose time is more than a day after the run or before 2000 are quarantined as implausible."
        + "\n\n");
    return md.toString();
  }
}
