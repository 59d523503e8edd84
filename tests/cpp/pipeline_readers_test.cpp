#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "pipeline/random.h"
#include "pipeline/readers.h"
#include "pipeline/text.h"
#include "pipeline_test_support.h"

using namespace ie;
using ie_test::TempDir;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
const Interaction& at(const Dataset& ds, size_t k) { return ds.interactions.at(k); }
std::string userOf(const Dataset& ds, size_t k) { return ds.users.id(at(ds, k).user); }
std::string itemOf(const Dataset& ds, size_t k) { return ds.items.id(at(ds, k).item); }
}  // namespace

TEST_CASE("CsvReader follows RFC 4180 quoting and counts lines", "[readers][csv]") {
  const std::string data =
      "a,b,c\r\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
      "2,\"two\nlines\",z\n"
      "3,,\n";
  CsvReader csv(data);
  std::vector<std::string> f;
  uint64_t line = 0;
  std::string err;
  REQUIRE(csv.next(f, line, err));
  CHECK(err.empty());
  CHECK(line == 1);
  CHECK(f == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 2);
  CHECK(f == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 3);
  CHECK(f == std::vector<std::string>{"2", "two\nlines", "z"});
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 5);  // the quoted line break advanced the count
  CHECK(f == std::vector<std::string>{"3", "", ""});
  CHECK_FALSE(csv.next(f, line, err));
}

TEST_CASE("CsvReader reports bad quoting and resumes on the next line", "[readers][csv]") {
  const std::string data = "3,bad\"quote\n2,ok\n4,\"x\"y\n5,\"open\n6,ok\n";
  CsvReader csv(data);
  std::vector<std::string> f;
  uint64_t line = 0;
  std::string err;
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 1);
  CHECK(contains(err, "quote character inside an unquoted field"));
  REQUIRE(csv.next(f, line, err));
  CHECK(err.empty());
  CHECK(line == 2);
  CHECK(f == std::vector<std::string>{"2", "ok"});
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 3);
  CHECK(contains(err, "after closing quote"));
  REQUIRE(csv.next(f, line, err));
  CHECK(line == 4);
  CHECK(contains(err, "unterminated"));
  REQUIRE(csv.next(f, line, err));  // resumes after the first line of the failed record
  CHECK(err.empty());
  CHECK(line == 5);
  CHECK(f == std::vector<std::string>{"6", "ok"});
  CHECK_FALSE(csv.next(f, line, err));
}

TEST_CASE("strict number parsing and Latin-1 conversion", "[readers][text]") {
  int64_t i = 0;
  float x = 0;
  CHECK(parseInt64(" 881250949 ", i));
  CHECK(i == 881250949);
  CHECK(parseInt64("-5", i));
  CHECK(i == -5);
  CHECK_FALSE(parseInt64("12a", i));
  CHECK_FALSE(parseInt64("", i));
  CHECK_FALSE(parseInt64("99999999999999999999", i));
  CHECK(parseFloat("4.5", x));
  CHECK(x == 4.5f);
  CHECK_FALSE(parseFloat("nan", x));
  CHECK_FALSE(parseFloat("inf", x));
  CHECK_FALSE(parseFloat("1e400", x));
  CHECK_FALSE(parseFloat("3,5", x));
  CHECK(latin1ToUtf8("Caf\xE9 \xFC") == "Caf\xC3\xA9 \xC3\xBC");
}

TEST_CASE("MovieLens 100K folder: exact values, UTF-8 titles, genre tags", "[readers][ml100k]") {
  TempDir dir;
  dir.write("ml/u.data", "196\t242\t3\t881250949\n186\t302\t3.5\t891717742\r\n\n196\t302\t1\t881250949\n");
  dir.write("ml/u.item",
            "242|Kolya (1996)|24-Jan-1997||http://x|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
            "302|L.A. Confidential (1997)|01-Jan-1997||http://y|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|1|0|0\n"
            "999|Caf\xE9 au lait (1993)|01-Jan-1993||http://z|0|0|0|0|0|1|0|0|0|0|0|0|0|0|1|0|0|0|0\n");
  dir.write("ml/u.genre",
            "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\n"
            "Documentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\n"
            "Romance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n");
  Dataset ds;
  Status st = readDataset(dir.file("ml"), ReadOptions(), ds);
  REQUIRE(st);
  CHECK(ds.format == "ml100k");
  CHECK(ds.timeUnit == TimeUnit::Seconds);
  REQUIRE(ds.interactions.size() == 3);
  CHECK(ds.numUsers() == 2);
  CHECK(ds.numItems() == 2);
  CHECK(userOf(ds, 0) == "196");
  CHECK(itemOf(ds, 0) == "242");
  CHECK(at(ds, 0).rating == 3.0f);
  CHECK(at(ds, 0).timestamp == 881250949);
  CHECK(at(ds, 0).line == 1);
  CHECK(at(ds, 1).rating == 3.5f);
  CHECK(at(ds, 1).line == 2);
  CHECK(at(ds, 2).line == 4);  // blank line 3 ignored, numbering kept
  CHECK(at(ds, 2).user == at(ds, 0).user);
  uint32_t idx = 0;
  REQUIRE(ds.items.find("302", idx));
  CHECK(idx == 1);
  CHECK(ds.itemMetadata.at("242").title == "Kolya (1996)");
  CHECK(ds.itemMetadata.at("242").tags == std::vector<std::string>{"Comedy"});
  CHECK(ds.itemMetadata.at("302").tags == std::vector<std::string>{"Crime", "Thriller"});
  CHECK(ds.itemMetadata.at("999").title == "Caf\xC3\xA9 au lait (1993)");
  CHECK(ds.itemMetadata.at("999").tags == std::vector<std::string>{"Comedy", "Romance"});
}

TEST_CASE("MovieLens 100K malformed line names file and line - skip mode counts it",
          "[readers][ml100k]") {
  TempDir dir;
  dir.write("ml/u.data", "1\t10\t4\t100\n2\t20\tfive\t200\n3\t30\t2\t300\n");
  Dataset ds;
  Status st = readDataset(dir.file("ml"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(st.code() == StatusCode::CorruptData);
  CHECK(contains(st.message(), "u.data:2:"));
  CHECK(contains(st.message(), "rating 'five'"));
  CHECK(ds.interactions.empty());

  ReadOptions skip;
  skip.skipMalformed = true;
  REQUIRE(readDataset(dir.file("ml"), skip, ds));
  CHECK(ds.interactions.size() == 2);
  CHECK(ds.skippedLines == 1);
  REQUIRE(ds.skippedMessages.size() == 1);
  CHECK(contains(ds.skippedMessages[0], "u.data:2:"));

  dir.write("ml2/u.data", "1\t10\t4\n");
  st = readDataset(dir.file("ml2"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "u.data:1:"));
  CHECK(contains(st.message(), "expected 4"));
}

TEST_CASE("MovieLens CSV folder: quoted titles, genres, header by name", "[readers][mlcsv]") {
  TempDir dir;
  dir.write("ml/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,11,0.5,964981247\n2,1,5,964983000\n");
  dir.write("ml/movies.csv",
            "movieId,title,genres\n"
            "1,Toy Story (1995),Adventure|Animation|Children\n"
            "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
            "12,\"The \"\"Quoted\"\" One (2000)\",(no genres listed)\n");
  Dataset ds;
  REQUIRE(readDataset(dir.file("ml"), ReadOptions(), ds));
  CHECK(ds.format == "mlcsv");
  CHECK(ds.timeUnit == TimeUnit::Seconds);
  REQUIRE(ds.interactions.size() == 3);
  CHECK(itemOf(ds, 1) == "11");
  CHECK(at(ds, 1).rating == 0.5f);
  CHECK(at(ds, 1).timestamp == 964981247);
  CHECK(at(ds, 1).line == 3);
  CHECK(ds.itemMetadata.at("11").title == "American President, The (1995)");
  CHECK(ds.itemMetadata.at("11").tags == std::vector<std::string>{"Comedy", "Drama", "Romance"});
  CHECK(ds.itemMetadata.at("12").title == "The \"Quoted\" One (2000)");
  CHECK(ds.itemMetadata.at("12").tags.empty());
}

TEST_CASE("MovieLens 1M / 10M folder: '::' fields, Latin-1 or UTF-8 titles, genres", "[readers][mldat]") {
  TempDir dir;
  // ML-1M: integer ratings, Latin-1 titles (0xE9 = e acute).
  dir.write("m1/ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n\n2::1193::4::978298413\n");
  dir.write("m1/movies.dat",
            "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"
            "661::Mis\xE9rables, Les (1995)::Drama|Musical\n"
            "2::Star Wars: Episode IV - A New Hope (1977)::Action|Sci-Fi\n"
            "3::Ends with a colon:::Drama\n"
            "4::Has :: inside::Comedy\n");
  Dataset ds;
  REQUIRE(readDataset(dir.file("m1"), ReadOptions(), ds));
  CHECK(ds.format == "mldat");
  CHECK(ds.timeUnit == TimeUnit::Seconds);
  REQUIRE(ds.interactions.size() == 3);
  CHECK(userOf(ds, 1) == "1");
  CHECK(itemOf(ds, 1) == "661");
  CHECK(at(ds, 1).rating == 3.0f);
  CHECK(at(ds, 1).timestamp == 978302109);
  CHECK(at(ds, 2).line == 4);  // the blank line still counts
  CHECK(ds.itemMetadata.at("661").title == "Mis\xC3\xA9rables, Les (1995)");
  CHECK(ds.itemMetadata.at("661").tags == std::vector<std::string>{"Drama", "Musical"});
  // A single ':' inside a title is not a separator.
  CHECK(ds.itemMetadata.at("2").title == "Star Wars: Episode IV - A New Hope (1977)");
  // The title is what lies between the first and the last "::".
  CHECK(ds.itemMetadata.at("3").title == "Ends with a colon:");
  CHECK(ds.itemMetadata.at("3").tags == std::vector<std::string>{"Drama"});
  CHECK(ds.itemMetadata.at("4").title == "Has :: inside");

  // ML-10M: half-star ratings, UTF-8 titles kept as they are, "(no genres listed)".
  dir.write("m10/ratings.dat", "7::122::4.5::838985046\n");
  dir.write("m10/movies.dat", "122::Am\xC3\xA9lie (2001)::Comedy|Romance\n8::Nothing (2000)::(no genres listed)\n");
  REQUIRE(readDataset(dir.file("m10"), ReadOptions(), ds));
  REQUIRE(ds.interactions.size() == 1);
  CHECK(at(ds, 0).rating == 4.5f);
  CHECK(ds.itemMetadata.at("122").title == "Am\xC3\xA9lie (2001)");
  CHECK(ds.itemMetadata.at("8").tags.empty());
}

TEST_CASE("MovieLens .dat: malformed lines name file and line, or are skipped", "[readers][mldat]") {
  TempDir dir;
  dir.write("bad/ratings.dat", "1::10::4::881250949\n1::x::4::881250950\n2::11::4\n3::12::five::1\n4::13::2::t\n");
  Dataset ds;
  Status st = readDataset(dir.file("bad"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(st.code() == StatusCode::CorruptData);
  CHECK(contains(st.message(), "ratings.dat:2:"));
  CHECK(contains(st.message(), "item id 'x'"));
  CHECK(ds.interactions.empty());
  ReadOptions skip;
  skip.skipMalformed = true;
  REQUIRE(readDataset(dir.file("bad"), skip, ds));
  CHECK(ds.interactions.size() == 1);
  CHECK(ds.skippedLines == 4);
  REQUIRE(ds.skippedMessages.size() == 4);
  CHECK(contains(ds.skippedMessages[1], "ratings.dat:3: expected 4 '::'-separated fields"));
  CHECK(contains(ds.skippedMessages[2], "rating 'five'"));
  CHECK(contains(ds.skippedMessages[3], "timestamp 't'"));

  dir.write("meta/ratings.dat", "1::10::4::881250949\n");
  dir.write("meta/movies.dat", "10::Title only\n");
  st = readDataset(dir.file("meta"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "movies.dat:1: expected 3"));
  dir.write("meta/movies.dat", "10::Title::Drama\n11::One separator only\n");
  st = readDataset(dir.file("meta"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "movies.dat:2: expected 3"));
}

TEST_CASE("splitView on a string separator and UTF-8 validation", "[readers][text]") {
  CHECK(splitView("a::b:c::", "::") == std::vector<std::string_view>{"a", "b:c", ""});
  CHECK(splitView("abc", "::") == std::vector<std::string_view>{"abc"});
  CHECK(splitView("", "::") == std::vector<std::string_view>{""});
  CHECK(splitView("x", "") == std::vector<std::string_view>{"x"});
  CHECK(isValidUtf8("plain ASCII"));
  CHECK(isValidUtf8("Am\xC3\xA9lie \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(isValidUtf8("Mis\xE9rables"));        // Latin-1 byte
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));             // overlong '/'
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));         // a UTF-16 surrogate
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));     // above U+10FFFF
  CHECK_FALSE(isValidUtf8("\xE2\x82"));             // truncated
  CHECK_FALSE(isValidUtf8("\x80"));                 // lone continuation byte
}

TEST_CASE("generic CSV: columns in any order, optional rating and event", "[readers][csv]") {
  TempDir dir;
  const std::string path = dir.write(
      "log.csv",
      "event,Timestamp,item,extra,user,rating\n"
      "click,1659304800025,a1,zz,u1,\n"
      "carts,1659304800030,a2,zz,u1,4\n"
      ",1659304800040,a1,zz,u2,\n");
  Dataset ds;
  REQUIRE(readDataset(path, ReadOptions(), ds));
  CHECK(ds.format == "csv");
  CHECK(ds.timeUnit == TimeUnit::Milliseconds);  // inferred from the magnitude
  REQUIRE(ds.interactions.size() == 3);
  CHECK(userOf(ds, 0) == "u1");
  CHECK(itemOf(ds, 0) == "a1");
  CHECK(at(ds, 0).event == LogEventType::Click);
  CHECK(std::isnan(at(ds, 0).rating));
  CHECK(at(ds, 1).event == LogEventType::Cart);
  CHECK(at(ds, 1).rating == 4.0f);
  CHECK(at(ds, 2).event == LogEventType::Interaction);
  CHECK(at(ds, 2).timestamp == 1659304800040LL);

  ReadOptions secondsOpt;
  secondsOpt.csvTimeUnit = TimeUnit::Seconds;
  REQUIRE(readDataset(path, secondsOpt, ds));
  CHECK(ds.timeUnit == TimeUnit::Seconds);
}

TEST_CASE("generic CSV errors name file:line and the problem", "[readers][csv]") {
  TempDir dir;
  Dataset ds;
  Status st = readDataset(dir.write("noheader.csv", "1,2,3\n4,5,6\n"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "noheader.csv:1:"));
  CHECK(contains(st.message(), "header"));

  st = readDataset(dir.write("a.csv", "user,item,timestamp,event\nu,i,5,click\nu,i,6,teleport\n"),
                   ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "a.csv:3:"));
  CHECK(contains(st.message(), "unknown event type 'teleport'"));

  st = readDataset(dir.write("b.csv", "user,item,timestamp\nu,i,5\nu,i\n"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "b.csv:3:"));
  CHECK(contains(st.message(), "expected 3 fields"));

  st = readDataset(dir.write("c.csv", "user,item,timestamp\nu,\"i,5\nu,j,6\n"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "c.csv:2:"));
  CHECK(contains(st.message(), "unterminated"));

  ReadOptions skip;
  skip.skipMalformed = true;
  REQUIRE(readDataset(dir.file("c.csv"), skip, ds));
  CHECK(ds.skippedLines == 1);
  REQUIRE(ds.interactions.size() == 1);
  CHECK(itemOf(ds, 0) == "j");
  CHECK(at(ds, 0).line == 3);

  st = readDataset(dir.write("d.csv", "user,item,timestamp\n,i,5\n"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "d.csv:2: user id is empty"));

  st = readDataset(dir.write("e.csv", "user,item,timestamp\n"), ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "no valid interactions"));
}

TEST_CASE("OTTO JSON lines: sessions, event types, milliseconds", "[readers][otto]") {
  TempDir dir;
  const std::string path = dir.write(
      "train.jsonl",
      "{\"session\":0,\"events\":[{\"aid\":1517085,\"ts\":1659304800025,\"type\":\"clicks\"},"
      "{\"aid\":16246,\"ts\":1659367719997,\"type\":\"carts\"}]}\n"
      "{\"session\":7,\"events\":[{\"aid\":16246,\"ts\":1659370027105,\"type\":\"orders\"}]}\n");
  Dataset ds;
  REQUIRE(readDataset(path, ReadOptions(), ds));
  CHECK(ds.format == "otto");
  CHECK(ds.timeUnit == TimeUnit::Milliseconds);
  REQUIRE(ds.interactions.size() == 3);
  CHECK(userOf(ds, 0) == "0");
  CHECK(itemOf(ds, 0) == "1517085");
  CHECK(at(ds, 0).event == LogEventType::Click);
  CHECK(at(ds, 0).timestamp == 1659304800025LL);
  CHECK(at(ds, 1).event == LogEventType::Cart);
  CHECK(at(ds, 1).line == 1);
  CHECK(at(ds, 2).event == LogEventType::Order);
  CHECK(at(ds, 2).line == 2);
  CHECK(userOf(ds, 2) == "7");
  CHECK(at(ds, 2).item == at(ds, 1).item);
  CHECK(std::isnan(at(ds, 2).rating));

  Status st = readDataset(
      dir.write("bad.jsonl", "{\"session\":1,\"events\":[]}\n{\"session\":2,\"events\":[{\"aid\":1,"
                             "\"ts\":5,\"type\":\"teleports\"}]}\n"),
      ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "bad.jsonl:2:"));
  CHECK(contains(st.message(), "event 0"));
  CHECK(contains(st.message(), "type"));

  st = readDataset(dir.write("trunc.jsonl", "{\"session\":1,\"events\":[{\"aid\":1,\"ts\":5,\"type\":\"clicks\"}]}\n{\"session\":2,\"ev"),
                   ReadOptions(), ds);
  REQUIRE_FALSE(st);
  CHECK(contains(st.message(), "trunc.jsonl:2: not valid JSON"));
}

TEST_CASE("format detection and missing paths", "[readers]") {
  TempDir dir;
  DataFormat f = DataFormat::Auto;
  dir.write("a/u.data", "1\t1\t1\t1\n");
  dir.write("b/ratings.csv", "userId,movieId,rating,timestamp\n");
  dir.write("c/ratings.dat", "1::1::1::1\n");
  REQUIRE(detectFormat(dir.file("c"), f));
  CHECK(f == DataFormat::MovieLensDat);
  CHECK(detectFormat(dir.file("e"), f).code() == StatusCode::NotFound);
  dir.write("d/readme.txt", "");
  Status none = detectFormat(dir.file("d"), f);
  CHECK(none.code() == StatusCode::InvalidArgument);
  CHECK(contains(none.message(), "ratings.dat"));
  REQUIRE(detectFormat(dir.file("a"), f));
  CHECK(f == DataFormat::MovieLens100k);
  REQUIRE(detectFormat(dir.file("b"), f));
  CHECK(f == DataFormat::MovieLensCsv);
  REQUIRE(detectFormat(dir.write("x.jsonl", ""), f));
  CHECK(f == DataFormat::OttoJsonl);
  REQUIRE(detectFormat(dir.write("x.CSV", ""), f));
  CHECK(f == DataFormat::Csv);
  CHECK(detectFormat(dir.write("x.txt", ""), f).code() == StatusCode::InvalidArgument);
  CHECK(detectFormat(dir.file("nope"), f).code() == StatusCode::NotFound);
  Dataset ds;
  CHECK(readDataset(dir.file("nope.csv"), ReadOptions(), ds).code() == StatusCode::NotFound);
  ReadOptions forced;
  forced.format = DataFormat::MovieLens100k;
  Status st = readDataset(dir.file("b"), forced, ds);
  CHECK(st.code() == StatusCode::NotFound);
  CHECK(contains(st.message(), "u.data"));
}

TEST_CASE("garbage input never crashes any reader", "[readers][garbage]") {
  TempDir dir;
  Rng rng(7);
  for (int round = 0; round < 20; ++round) {
    std::string junk;
    const size_t n = 1 + rng.below(4000);
    for (size_t i = 0; i < n; ++i) {
      // Mix random bytes with the separators the parsers care about.
      static const char kSpecial[] = "\t|,\"\n\r{}[]:0123456789";
      junk.push_back(rng.below(3) == 0 ? kSpecial[rng.below(sizeof(kSpecial) - 1)]
                                       : static_cast<char>(rng.below(256)));
    }
    dir.write("g/u.data", junk);
    dir.write("g/u.item", junk);
    dir.write("h/ratings.csv", junk);
    dir.write("h/movies.csv", junk);
    dir.write("k/ratings.dat", junk);
    dir.write("k/movies.dat", junk);
    const std::string paths[] = {dir.file("g"), dir.file("h"), dir.file("k"), dir.write("g.csv", junk),
                                 dir.write("g.jsonl", junk)};
    for (const std::string& p : paths) {
      for (bool skip : {false, true}) {
        ReadOptions opt;
        opt.skipMalformed = skip;
        Dataset ds;
        Status st = readDataset(p, opt, ds);
        if (!st) {
          CHECK_FALSE(st.message().empty());
          CHECK(ds.interactions.empty());
        } else {
          CHECK(skip);  // only skipping can make sense of garbage
        }
      }
    }
  }
}

TEST_CASE("mutated valid files never crash any reader", "[readers][garbage]") {
  TempDir dir;
  Rng rng(11);
  const std::string udata = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n";
  const std::string uitem =
      "242|Kolya (1996)|24-Jan-1997||http://x|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
      "302|L.A. Confidential (1997)|01-Jan-1997||http://y|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|1|0|0\n";
  const std::string ratings = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n";
  const std::string movies = "movieId,title,genres\n1,\"Toy Story, The (1995)\",Adventure|Animation\n";
  const std::string ratingsDat = "1::1193::5::978300760\n2::661::3.5::978302109\n";
  const std::string moviesDat = "1193::Cuckoo's Nest (1975)::Drama\n661::Mis\xE9rables (1995)::Drama|Musical\n";
  const std::string csv = "user,item,timestamp,rating,event\nu1,a,1,4,click\nu2,\"b,c\",2,,cart\n";
  const std::string otto =
      "{\"session\":0,\"events\":[{\"aid\":1,\"ts\":1659304800025,\"type\":\"clicks\"},"
      "{\"aid\":2,\"ts\":1659304800026,\"type\":\"orders\"}]}\n";
  auto mutate = [&](std::string s) {
    const size_t edits = 1 + rng.below(4);
    for (size_t e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng.below(s.size());
      switch (rng.below(3)) {
        case 0: s[at] = static_cast<char>(rng.below(256)); break;
        case 1: s.erase(at, 1 + rng.below(5)); break;
        default: s.insert(at, 1, "\"\n,|\t{}[]:-.e0"[rng.below(15)]); break;
      }
    }
    return s;
  };
  for (int round = 0; round < 300; ++round) {
    dir.write("m/u.data", mutate(udata));
    dir.write("m/u.item", mutate(uitem));
    dir.write("n/ratings.csv", mutate(ratings));
    dir.write("n/movies.csv", mutate(movies));
    dir.write("o/ratings.dat", mutate(ratingsDat));
    dir.write("o/movies.dat", mutate(moviesDat));
    const std::string paths[] = {dir.file("m"), dir.file("n"), dir.file("o"), dir.write("x.csv", mutate(csv)),
                                 dir.write("x.jsonl", mutate(otto))};
    for (const std::string& p : paths) {
      for (bool skip : {false, true}) {
        ReadOptions opt;
        opt.skipMalformed = skip;
        Dataset ds;
        Status st = readDataset(p, opt, ds);
        if (st) {
          for (const Interaction& x : ds.interactions) {
            REQUIRE(x.user < ds.numUsers());
            REQUIRE(x.item < ds.numItems());
          }
        } else {
          CHECK_FALSE(st.message().empty());
        }
      }
    }
  }
}
