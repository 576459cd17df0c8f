from bzpeer.catalog.names import name_slug, names_compatible, parse_name


def test_parse_name_orders():
    assert parse_name("Chen, Tianlong") == parse_name("Tianlong Chen")
    assert parse_name("C.-P. Yuan").given == ("c", "p")
    assert parse_name("van der Berg, J.").surname == "vanderberg"
    assert parse_name("Jan van der Berg").surname == "vanderberg"
    assert parse_name("C. Bal\u00e1zs").surname == "balazs"


def test_compatibility():
    assert names_compatible(parse_name("T. Chen"), parse_name("Tianlong Chen"))
    assert not names_compatible(parse_name("Tao Chen"), parse_name("Tianlong Chen"))
    assert not names_compatible(parse_name("Tianlong Chen"), parse_name("Tianlong Wang"))


def test_slug():
    assert name_slug("Tianlong Chen") == "tianlong-chen"
    assert name_slug("Zoë Łukasz") == "zoe-lukasz"
