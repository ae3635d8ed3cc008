module perfworkbook

go 1.19
