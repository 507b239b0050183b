"""The live control room (meldkamer): incidents, units, dispatch advice, response times."""
