"""The pivot page: any rollup measure by any two of its dimensions, filtered, as a table or a
chart, saved as a favourite, exported. Users pick from declared measures and dimensions
(``cube``); nothing they type reaches SQL."""
