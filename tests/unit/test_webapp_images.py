"""Placeholder images: the index over any catalog data, the SVG, and its escaping."""

from __future__ import annotations

from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.webapp.images import Known, build_index, demo_index, render_svg


def parse_svg(text: str | bytes) -> Element:
    """Our own SVG output, parsed to check it is well-formed (no external entities in it)."""
    return ElementTree.fromstring(text)  # noqa: S314 - the app's own output, not untrusted


SVG = "{http://www.w3.org/2000/svg}"


def test_the_index_walks_any_shape_of_data() -> None:
    # Movies, a series with seasons and episode stills, people, logos and image lists: every
    # *_path gets its own object's name, or its nearest named ancestor's.
    data = {
        "movies": [
            {"id": 1, "title": "Alpha", "poster_path": "/a.jpg", "backdrop_path": "/ab.jpg"}
        ],
        "series": {
            "7": {
                "id": 7,
                "name": "Seven",
                "poster_path": "/s.jpg",
                "seasons": [{"id": 70, "name": "Season 1", "poster_path": "/s1.jpg"}],
                "episodes": [{"id": 700, "name": "Pilot", "still_path": "/e1.jpg"}],
                "networks": [{"id": 5, "name": "Net", "logo_path": "/n.png"}],
                "images": {"backdrops": [{"file_path": "/sb.jpg"}]},
                "credits": {"cast": [{"id": 9, "name": "Ann", "profile_path": "/p.jpg"}]},
            }
        },
        "noise": [
            None,
            3,
            "text",
            {"poster_path": "/orphan.jpg"},
            {"title": "T", "poster_path": 4},
        ],
    }
    index = build_index(data)
    assert index["a.jpg"] == Known("Alpha", "poster_path", 1)
    assert index["ab.jpg"] == Known("Alpha", "backdrop_path", 1)
    assert index["s.jpg"] == Known("Seven", "poster_path", 7)
    assert index["s1.jpg"] == Known("Season 1", "poster_path", 70)
    assert index["e1.jpg"] == Known("Pilot", "still_path", 700)
    assert index["n.png"] == Known("Net", "logo_path", 5)
    assert index["sb.jpg"] == Known("Seven", "file_path", 7)
    assert index["p.jpg"] == Known("Ann", "profile_path", 9)
    assert "orphan.jpg" not in index  # no title anywhere above it: the neutral placeholder


def test_an_objects_own_title_wins_over_an_image_list_entry() -> None:
    data = [
        {"id": 2, "title": "Listed", "images": {"posters": [{"file_path": "/x.jpg"}]}},
        {"id": 3, "title": "Owner", "poster_path": "/x.jpg"},
    ]
    assert build_index(data)["x.jpg"] == Known("Owner", "poster_path", 3)


def test_the_demo_catalog_index_names_every_kind_of_image() -> None:
    from netflix_clone.catalog.demo_tmdb import DemoTMDB

    demo, index = DemoTMDB.default(), demo_index()

    def known(path: str | None) -> Known | None:
        assert path, "the catalog holds this image"
        return index.get(path.lstrip("/"))

    fight_club = demo.handle("movie/550", {"append_to_response": "credits,images"})[1]
    assert known(fight_club["poster_path"]) == Known("Fight Club", "poster_path", 550)
    assert known(fight_club["backdrop_path"]) == Known("Fight Club", "backdrop_path", 550)
    norton = fight_club["credits"]["cast"][0]
    assert known(norton["profile_path"]) == Known("Edward Norton", "profile_path", 819)
    logo = fight_club["images"]["logos"][0]["file_path"]  # a file of a recorded answer
    assert known(logo) is not None and known(logo).title == "Fight Club"  # type: ignore[union-attr]
    got = demo.handle("tv/66732", {})[1]
    season = next(s for s in got["seasons"] if s["season_number"] == 1)
    assert known(season["poster_path"]).title == "Stranger Things Season 1"  # type: ignore[union-attr]
    still = demo.handle("tv/66732/season/1", {})[1]["episodes"][2]["still_path"]
    assert known(still) == Known("Stranger Things S1 E3", "still_path", 66732)
    assert known(got["networks"][0]["logo_path"]) == Known("Netflix", "logo_path", None)
    matrix = demo.handle("movie/603", {"append_to_response": "credits"})[1]
    for person in matrix["credits"]["cast"]:
        if person["profile_path"]:
            assert known(person["profile_path"]).title == person["name"]  # type: ignore[union-attr]
    assert index.get("NoSuchImageAnywhere.jpg") is None


def test_titles_are_escaped_and_control_characters_dropped() -> None:
    hostile = Known("<script>alert(\"x\")</script> & 'q' \x00\x1b]", "poster_path", 1)
    text = render_svg(hostile, "h.jpg")
    assert "<script" not in text and "\x00" not in text and "\x1b" not in text
    svg = parse_svg(text)  # well-formed XML
    assert not [e for e in svg.iter() if e.tag == f"{SVG}script"]
    assert svg.get("aria-label") == "<script>alert(\"x\")</script> & 'q' ]"
    shown = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert shown == "<SCRIPT>ALERT(\"X\")</SCRI & 'Q' ]"  # a poster sets it in capitals
    logo = parse_svg(render_svg(Known(hostile.title, "logo_path", 1), "h.png"))
    shown = " ".join(t.text or "" for t in logo.iter(f"{SVG}text"))
    assert shown == "<script>alert(\"x\")</script> & 'q' ]"


def test_shapes_colours_and_wrapping() -> None:
    poster = parse_svg(render_svg(Known("A Long Title For A Poster", "poster_path", 42), "a.jpg"))
    backdrop = parse_svg(render_svg(Known("Wide", "backdrop_path", 42), "b.jpg"))
    assert poster.get("viewBox") == "0 0 500 750"
    assert backdrop.get("viewBox") == "0 0 1280 720"
    assert len(list(poster.iter(f"{SVG}text"))) > 1  # wrapped over lines
    assert stops(poster) == stops(backdrop)  # the colour comes from the id
    other = parse_svg(render_svg(Known("Wide", "backdrop_path", 43), "b.jpg"))
    assert stops(other) != stops(backdrop)
    huge = Known("W" * 5000, "poster_path", 1)
    assert len(render_svg(huge, "w.jpg")) < 3000  # bounded whatever the title
    # Backdrops and stills sit beside the title on every page: no text of their own.
    assert list(backdrop.iter(f"{SVG}text")) == []


def test_posters_take_their_genres_colours_and_show_the_year() -> None:
    horror = Known("The Night", "poster_path", 5, genres=(27,), year="1999")
    family = Known("The Night", "poster_path", 5, genres=(10751,), year="1999")
    assert stops(parse_svg(render_svg(horror, "h.jpg"))) != stops(
        parse_svg(render_svg(family, "f.jpg"))
    )
    texts = [t.text for t in parse_svg(render_svg(horror, "h.jpg")).iter(f"{SVG}text")]
    assert texts == ["1999", "THE NIGHT"]
    fight_club = demo_index().get(DemoTMDB.default().item("movie", 550)["poster_path"].lstrip("/"))  # type: ignore[index]
    assert fight_club is not None and fight_club.genres[:1] == (18,) and fight_club.year == "1999"


def test_the_placeholder_has_the_size_tmdb_would_answer() -> None:
    poster = Known("Alpha", "poster_path", 1)
    backdrop = Known("Alpha", "backdrop_path", 1)
    cases = [
        (poster, "w342", ("342", "513")),
        (poster, "w92", ("92", "138")),
        (poster, "original", ("500", "750")),
        (Known("Ann", "profile_path", 2), "h632", ("421", "632")),
        (backdrop, "w1280", ("1280", "720")),
        (backdrop, "w300", ("300", "169")),
        (Known("Pilot", "still_path", 3), "w185", ("185", "104")),
        (None, "w1280", ("1280", "720")),  # unknown file at a size only wide images have
        (None, "w500", ("500", "750")),
    ]
    for known, size, expected in cases:
        svg = parse_svg(render_svg(known, "x.jpg", size))
        assert (svg.get("width"), svg.get("height")) == expected, (known, size)
    # The drawing is the same at every size: only the displayed size changes.
    small = parse_svg(render_svg(poster, "x.jpg", "w92"))
    large = parse_svg(render_svg(poster, "x.jpg", "w780"))
    assert small.get("viewBox") == large.get("viewBox") == "0 0 500 750"


def stops(svg: Element) -> list[str | None]:
    return [s.get("stop-color") for s in svg.iter(f"{SVG}stop")]


def test_the_image_base_follows_the_catalog_source() -> None:
    from netflix_clone.core.settings import Settings

    demo = Settings(app_env="test", catalog_source="demo")
    assert demo.tmdb_image_base_url == "/images/t/p"
    auto_without_key = Settings(app_env="test", catalog_source="auto")
    assert auto_without_key.tmdb_image_base_url == "/images/t/p"
    tmdb = Settings(app_env="test", catalog_source="auto", tmdb_api_key="0" * 32)
    assert tmdb.tmdb_image_base_url == "https://image.tmdb.org/t/p"  # unchanged with TMDB
    chosen = Settings(app_env="test", catalog_source="demo", tmdb_image_base_url="https://cdn.x/p/")
    assert chosen.tmdb_image_base_url == "https://cdn.x/p"  # an explicit base always wins
